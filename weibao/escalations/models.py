"""The escalations app's records. Every business record belongs to one contract."""
