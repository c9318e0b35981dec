"""Imports inside functions and TYPE_CHECKING blocks, and a try/except fallback."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.websocket_core.events import WebSocketEventManager

try:
    from collections import Mapping
except ImportError:  # Python 3.10+: it lives in collections.abc
    Mapping = dict


def run(payload: "Mapping") -> int:
    from shop.websocket_core.websocket_manager_factory import create_manager

    manager = create_manager(user=payload.get("user", "worker"))
    return manager.emit(payload)


def monitor_for(name) -> "WebSocketEventManager":
    from shop.websocket_core.events import WebSocketEventManager

    def WebSocketEventManager_factory(WebSocketEventManager=WebSocketEventManager):
        return WebSocketEventManager(name)

    return WebSocketEventManager_factory()
