"""Reusable widgets: JSON editor, status badges, filters, charts, the message area."""
