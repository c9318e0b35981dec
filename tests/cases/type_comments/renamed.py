# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.events import Manager

x = None  # type: Manager
y = Manager()
# output
from pkg.monitor import Monitor

x = None  # type: Monitor
y = Monitor()
