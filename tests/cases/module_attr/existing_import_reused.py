# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
import pkg.monitor
import pkg.events as ev

x = ev.Manager
y = pkg.monitor.Other
# output
import pkg.monitor

x = pkg.monitor.Monitor
y = pkg.monitor.Other
