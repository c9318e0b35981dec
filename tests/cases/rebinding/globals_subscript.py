# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.events import Manager

globals()["Manager"] = None
print(Manager)
# output
from pkg.monitor import Monitor as Manager

globals()["Manager"] = None
print(Manager)
