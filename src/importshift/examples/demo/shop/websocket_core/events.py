"""Deprecated: import ChatEventMonitor from shop.websocket_core.event_monitor."""

import warnings

from .event_monitor import ChatEventMonitor, EventFilter

warnings.warn(
    "shop.websocket_core.events is deprecated; use shop.websocket_core.event_monitor",
    DeprecationWarning,
    stacklevel=2,
)

WebSocketEventManager = ChatEventMonitor

__all__ = ["WebSocketEventManager", "EventFilter"]
