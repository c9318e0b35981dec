# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager

m = Manager()
print(Manager.__name__)
# output
from pkg.monitor import Monitor

m = Monitor()
print(Monitor.__name__)
