"""Ingest: validate what sources send, store items and media durably and idempotently, queue their analysis."""
