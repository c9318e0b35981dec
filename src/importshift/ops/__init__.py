"""Stateful operations: scanning pool, batches, landing, journal, lock."""
