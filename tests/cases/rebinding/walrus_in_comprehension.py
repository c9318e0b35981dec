# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.events import Manager

found = [Manager := item for item in range(3)]
print(Manager)
# output
from pkg.monitor import Monitor as Manager

found = [Manager := item for item in range(3)]
print(Manager)
