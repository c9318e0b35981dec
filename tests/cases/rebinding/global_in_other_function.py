# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.events import Manager


def use():
    return Manager()


def reset():
    global Manager
    Manager = None
# output
from pkg.monitor import Monitor as Manager


def use():
    return Manager()


def reset():
    global Manager
    Manager = None
