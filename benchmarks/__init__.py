"""Benchmarks: a corpus generator and a runner comparing importshift with its peers."""
