"""Light, pure values and helpers (stdlib only at import time): what `check`'s fast path may import."""
