"""Module-level imports reached through attribute chains."""

import shop.websocket_core.websocket_manager_factory
import shop.websocket_core.events as events


def route(user):
    manager = shop.websocket_core.websocket_manager_factory.create_manager(user=user)
    return manager, events.WebSocketEventManager, events.EventFilter
