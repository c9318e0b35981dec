# rules: pkg.events.Manager -> newlib.monitor.Monitor
# module: pkg.views
from .events import Manager

Manager()
# output
from newlib.monitor import Monitor

Monitor()
