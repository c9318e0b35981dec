# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager


def f(x: "Manager") -> None:
    pass
# output
from pkg.monitor import Monitor as Manager


def f(x: "Manager") -> None:
    pass
