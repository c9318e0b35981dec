"""Deprecated module: everything moved to shop.websocket_core.canonical_imports."""

from .canonical_imports import *  # noqa: F401,F403
from .canonical_imports import create_manager as _create_manager


def create_manager(user, *, room="lobby"):
    """The old signature: 'user' became 'user_id'."""
    return _create_manager(user, room=room)
