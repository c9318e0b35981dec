"""HTTP handlers: a parenthesised import, a comment on the moved name, a name that stays."""

from shop.websocket_core.events import (
    EventFilter,
    WebSocketEventManager,  # one manager per connection
)
from shop.websocket_core.event_monitor import ChatEventMonitor


def open_connection(user):
    manager = WebSocketEventManager(user)
    manager.emit({"type": "open", "filter": EventFilter(["open"])})
    return manager


def is_monitor(obj):
    return isinstance(obj, ChatEventMonitor)
