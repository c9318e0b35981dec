# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
import pkg.events as ev


def f(ev):
    return ev.Manager
