"""Read-only findings over the codebase: shims, discover, doctor, platforms."""
