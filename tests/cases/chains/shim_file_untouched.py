# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
# module: pkg.events
from pkg.monitor import Monitor as Manager
from pkg.factory import create
# output
from pkg.monitor import Monitor as Manager
from pkg.canonical import create
