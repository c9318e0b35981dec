# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
import pkg.events as ev

if True:
    import pkg.events as ev2

print(ev.Manager, ev2.Manager)
# output
import pkg.monitor

if True:
    pass

print(pkg.monitor.Monitor, pkg.monitor.Monitor)
