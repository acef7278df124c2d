"""Tools › Field mappings: the mappings workbench (``eventdesk.gui.workbench``). The name stays
for callers of the former JSON-only dialog; it is the workbench now."""
from __future__ import annotations

from eventdesk.gui.workbench.editor import MappingEditor

MappingsDialog = MappingEditor

__all__ = ["MappingEditor", "MappingsDialog"]
