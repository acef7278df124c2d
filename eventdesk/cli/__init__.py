"""The command line: `eventdesk COMMAND ...` (design section 8)."""
from eventdesk.cli.main import main

__all__ = ["main"]
