"""The unit of work of a replica set or sharded cluster: one multi-document transaction.

Retry policy (the driver's own advice, bounded):
- ``UnknownTransactionCommitResult`` at commit: the commit is retried, up to ``MAX_TRIES``
  times. Committing the same transaction again is idempotent on the server, so a commit that
  did land the first time is not applied twice.
- ``TransientTransactionError`` anywhere (write conflict, primary stepped down): the
  transaction is aborted and ``TransientConflict`` (a ``StoreUnavailable``) is raised saying
  "transient conflict, retry". Running the whole body again needs the body:
  ``MongoStore.run_in_transaction(fn)`` does that for callers that hand it over.
"""
from __future__ import annotations

from typing import Any

from pymongo.errors import PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from eventdesk.core.conflicts import backoff
from eventdesk.core.errors import StoreUnavailable
from eventdesk.store.mongo.errors import UNKNOWN_COMMIT, has_label, translate
from eventdesk.store.mongo.unit_of_work import MongoWrites

MAX_TRIES = 5


class TransactionalUnitOfWork(MongoWrites):
    """Writes inside one snapshot transaction, committed with majority write concern."""

    atomic = True

    def __init__(self, client: Any, db: Any, unique: bool, where: str) -> None:
        super().__init__(db, unique, where, session=None)
        self._client = client

    def __enter__(self) -> "TransactionalUnitOfWork":
        try:
            self.session = self._client.start_session()
            self.session.start_transaction(read_concern=ReadConcern("snapshot"),
                                           write_concern=WriteConcern("majority"))
        except PyMongoError as exc:
            self._end()
            raise translate(exc, self.where) from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.committed:
            try:
                self.session.abort_transaction()
            except PyMongoError:
                pass  # the server drops an unfinished transaction anyway (and end_session aborts)
        self._end()

    def commit(self) -> None:
        for attempt in range(MAX_TRIES):
            try:
                self.session.commit_transaction()
            except PyMongoError as exc:
                if has_label(exc, UNKNOWN_COMMIT) and attempt + 1 < MAX_TRIES:
                    backoff(attempt)
                    continue
                raise self._commit_error(exc) from exc
            self.committed = True
            return

    def _commit_error(self, exc: PyMongoError) -> Exception:
        if has_label(exc, UNKNOWN_COMMIT):
            return StoreUnavailable(f"the MongoDB store {self.where} did not confirm the commit; "
                                    "the events may be stored: sending the same input again is safe")
        return translate(exc, self.where)

    def _end(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            try:
                session.end_session()
            except PyMongoError:
                pass
