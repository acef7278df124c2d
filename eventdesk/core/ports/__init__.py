"""The ports the core owns (design 2): narrow interfaces that the store adapters implement."""
from eventdesk.core.ports.events import (
                                         BulkCounts,
                                         BulkUnitOfWork,
                                         EventReads,
                                         EventStore,
                                         EventWrites,
                                         MappingsStore,
                                         NewNormalized,
                                         NewRaw,
                                         RawRef,
                                         RawUpdate,
                                         StoreVersionError,
                                         UnitOfWork,
)
from eventdesk.core.ports.records import DONE, IN_FLIGHT, HttpRecords, IdempotencyRecord, TokenRecord
from eventdesk.core.ports.versions import MappingHistory, MappingVersion

__all__ = ["BulkCounts", "BulkUnitOfWork", "DONE", "IN_FLIGHT", "EventReads", "EventStore", "EventWrites", "HttpRecords", "IdempotencyRecord",
           "MappingHistory", "MappingVersion", "MappingsStore", "NewNormalized", "NewRaw", "RawRef", "RawUpdate", "StoreVersionError",
           "TokenRecord", "UnitOfWork"]
