"""Light, pure values and helpers, stdlib only at import time.

What the fast path of `migrate check` may import.
"""
