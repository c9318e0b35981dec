# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
import pkg.events


def f(a):
    # type: (pkg.events.Manager) -> None
    return pkg.events.Manager(a)
# output
import pkg.monitor


def f(a):
    # type: (pkg.monitor.Monitor) -> None
    return pkg.monitor.Monitor(a)
