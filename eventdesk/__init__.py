"""eventdesk: keep every event, normalise it, count each fact once."""
__version__ = "0.1.0"
