"""The MongoDB store (pymongo): transactions on a replica set, compensated writes on a standalone."""
from eventdesk.store.mongo.store import MongoStore

__all__ = ["MongoStore"]
