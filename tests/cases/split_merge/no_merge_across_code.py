# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager

x = 1
from pkg.monitor import Other

Manager(Other, x)
# output
from pkg.monitor import Monitor

x = 1
from pkg.monitor import Other

Monitor(Other, x)
