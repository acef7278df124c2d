"""What the server behind a client can do, read once from the ``hello`` command at open.

Transactions need a replica set (``setName`` in the reply) or a sharded cluster (``msg`` is
``isdbgrid``: we talk to a mongos). A standalone server, and mongomock, which implements neither
``hello`` nor sessions, run without them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pymongo.errors import OperationFailure

REPLICA_SET = "replica_set"
SHARDED = "sharded"
STANDALONE = "standalone"


@dataclass(frozen=True)
class Capabilities:
    kind: str
    transactions: bool

    @property
    def notice(self) -> str:
        """One line for the log and the status bar; empty when nothing is missing."""
        if self.transactions:
            return ""
        return ("MongoDB is a standalone server: transactions are off; raw and normalized writes are "
                "compensated on failure and finished by the recovery pass")


def from_hello(reply: Mapping[str, Any]) -> Capabilities:
    """Capabilities of the server that sent this ``hello`` (or ``isMaster``) reply."""
    if reply.get("msg") == "isdbgrid":
        return Capabilities(SHARDED, True)
    if reply.get("setName"):
        return Capabilities(REPLICA_SET, True)
    return Capabilities(STANDALONE, False)


def detect(client: Any) -> Capabilities:
    """Ask the server; errors other than "command unknown" (unreachable, auth) propagate."""
    return from_hello(_hello(client))


def _hello(client: Any) -> Mapping[str, Any]:
    admin = client.admin
    for command in ("hello", "isMaster"):  # isMaster for servers older than 4.4.2
        try:
            return admin.command(command)
        except NotImplementedError:  # mongomock: neither command exists
            break
        except OperationFailure as exc:
            if exc.code != 59:  # CommandNotFound: try the older name
                raise
    admin.command("ping")  # still prove the server answers
    return {}
