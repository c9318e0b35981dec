"""A small shop backend: the demo project importshift migrates."""
