"""The main window's tabs: Submit, Raw events, Normalized events, Aggregates, Statistics."""
