# rules: pkg.api.events.Manager -> pkg.api.v1.monitor.Monitor
# module: pkg.api.v1.views
from ..events import Manager

Manager()
# output
from .monitor import Monitor

Monitor()
