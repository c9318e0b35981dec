"""importshift: declare moved imports once, rewrite them everywhere, verified."""

from __future__ import annotations

__version__ = "0.1.0"
