"""Table models: thin adapters over store queries, loading pages as the view scrolls."""
