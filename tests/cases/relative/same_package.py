# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: pkg.views
from .events import Manager

Manager()
# output
from .monitor import Monitor

Monitor()
