# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager


def reset():
    global Manager
    Manager = None
# output
from pkg.monitor import Monitor as Manager


def reset():
    global Manager
    Manager = None
