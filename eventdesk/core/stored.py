"""The stored form of a canonical event: the column values every store writes.

Computed where events are prepared (in worker processes during bulk ingest), so that the
single writer only binds values.
"""
from __future__ import annotations

import json
from typing import NamedTuple, Optional

from eventdesk.core.aggregation import amount_units, epoch_micros
from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.model import Canonical, reasons_json


class StoredForm(NamedTuple):
    amount: Optional[str]          # canonical decimal text
    amount_units: Optional[int]    # exact units of 10**-4 where they fit
    ts: Optional[int]              # microseconds since 1970-01-01 UTC
    timestamp: Optional[str]       # YYYY-MM-DDTHH:MM:SS[.ffffff]Z
    warnings: Optional[str]        # JSON list, None when there are none
    reasons: Optional[str] = None  # JSON list of {code, field, key}, None when there are none


def stored_form(canonical: Canonical) -> StoredForm:
    amount, moment = canonical.amount, canonical.timestamp
    return StoredForm(
        None if amount is None else amount_text(amount), amount_units(amount),
        epoch_micros(moment), None if moment is None else timestamp_text(moment),
        json.dumps(list(canonical.warnings), ensure_ascii=False) if canonical.warnings else None,
        reasons_json(canonical.reasons))
