"""The pure core of eventdesk: events, hashing, normalization, processing. No Qt, no drivers."""
