"""The changes app's records. Every business record belongs to one contract."""
