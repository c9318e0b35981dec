"""Websocket plumbing."""
