"""The frozen app's entry point: ``eventdesk/__main__.py`` plus ``freeze_support``.

A frozen program has no ``python -c`` for multiprocessing's spawn: the parser workers of
``ingest`` (and of an import from the window) re-run this executable, and ``freeze_support``
turns such a run into the worker instead of a second CLI or GUI.
"""
import multiprocessing
import sys

from eventdesk.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
