"""Renderings built from values: text, JSON, GitHub annotations."""
