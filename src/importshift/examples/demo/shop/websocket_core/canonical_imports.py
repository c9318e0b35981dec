"""Canonical factory functions for websocket managers."""

from .event_monitor import ChatEventMonitor


def create_manager(user_id, *, room="lobby"):
    monitor = ChatEventMonitor(f"{room}:{user_id}")
    return monitor


def manager_count():
    return 1
