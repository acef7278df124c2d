"""Test doubles for eventdesk's ports: an in-memory EventStore, and mongomock patched for MongoStore.

Importable from any test as ``fakes`` (tests/conftest.py puts tests/ on sys.path).
"""
