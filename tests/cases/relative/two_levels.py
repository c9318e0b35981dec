# rules: pkg.events.Manager -> pkg.core.monitor.Monitor
# module: pkg.api.v1.views
from ...events import Manager

Manager()
# output
from ...core.monitor import Monitor

Monitor()
