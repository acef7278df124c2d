"""The service layer: the composition root and every operation a front end offers.

GUI, CLI and HTTP import from here (and the plain types of ``eventdesk.core``), never from
``eventdesk.store`` and never the processor's attributes. Modules:

- ``composition``: ``Settings``, ``App``, ``build_app`` (the one place that opens a store)
- ``events``: submit, the ingest driver (worker rule, progress, cancel), retry
- ``queries``: details of a raw or normalized event, pages, distinct values, stats, aggregates
- ``exporting``: the one export (rows and writers, whole file or nothing)
- ``mappings``: the version in use, the store's newest one, validate and save a version
- ``mapping_sources``: mappings from a file, the shipped default, the store (used by ``build_app``)
- ``errors``: ``describe(exc) -> (text, is_bug)`` and ``UsageError``
- ``http_state``, ``http_events``: what the HTTP API keeps and does beside the App
- ``paths``: the user data folder, the default store, the shipped resources
"""
from eventdesk.app.composition import UNSAFE_NO_DEDUP_ENV, App, Settings, build_app
from eventdesk.app.errors import UsageError, describe
from eventdesk.app.mapping_sources import (
           current_mappings,
           load_mappings_file,
           readable_mappings,
           shipped_mappings,
)
from eventdesk.store.uri import check_store_uri, redact

__all__ = ["UNSAFE_NO_DEDUP_ENV", "App", "Settings", "UsageError", "build_app", "check_store_uri",
           "current_mappings", "describe", "load_mappings_file", "readable_mappings", "redact",
           "shipped_mappings"]
