# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.events import Manager

exec("Manager = 1")
print(Manager)
# output
from pkg.monitor import Monitor as Manager

exec("Manager = 1")
print(Manager)
