"""Relative imports, an alias, and a name re-exported through __all__."""

from ..websocket_core.events import WebSocketEventManager as Manager
from ..websocket_core import websocket_manager_factory
from ..websocket_core.events import WebSocketEventManager

__all__ = ["WebSocketEventManager", "make"]


def make(user):
    manager = websocket_manager_factory.create_manager(user=user, room="legacy")
    return Manager(user), manager
