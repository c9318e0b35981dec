# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager

Monitor = "something else"
x = Manager()
# output
from pkg.monitor import Monitor as Manager

Monitor = "something else"
x = Manager()
