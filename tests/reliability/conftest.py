"""Reliability area: the hostile-input corpus, crash safety, output safety, concurrency."""
