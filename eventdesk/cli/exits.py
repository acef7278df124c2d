"""Exit statuses of the command line (design section 8), shared by the parser and the commands."""
from __future__ import annotations

from eventdesk.app.errors import UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SUBMIT_FAILED, EXIT_BUG = 0, 1, 2, 3, 70

__all__ = ["EXIT_BUG", "EXIT_FAILED", "EXIT_OK", "EXIT_SUBMIT_FAILED", "EXIT_USAGE", "UsageError"]
