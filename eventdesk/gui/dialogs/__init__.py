"""Dialogs: import progress, mappings editor, settings, open store."""
