# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
import pkg.events as ev

x = ev.Manager()
y = ev.helper()
# output
import pkg.events as ev
import pkg.monitor

x = pkg.monitor.Monitor()
y = ev.helper()
