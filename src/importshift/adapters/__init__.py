"""The outside world behind small interfaces: git, interpreter probes, verifiers."""
