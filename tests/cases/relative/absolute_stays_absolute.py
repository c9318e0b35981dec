# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: pkg.views
from pkg.events import Manager

Manager()
# output
from pkg.monitor import Monitor

Monitor()
