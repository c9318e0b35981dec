# An old Python 2 script nobody ported: it does not parse, so it is skipped and listed.
from shop.websocket_core.events import WebSocketEventManager
print "managers:", WebSocketEventManager
