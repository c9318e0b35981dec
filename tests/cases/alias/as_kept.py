# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager as M

M()
# output
from pkg.monitor import Monitor as M

M()
