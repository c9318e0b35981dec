# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.events import Manager

print(Manager)
del Manager
# output
from pkg.monitor import Monitor as Manager

print(Manager)
del Manager
