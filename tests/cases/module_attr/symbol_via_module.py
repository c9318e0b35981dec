# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
import pkg.events

x = pkg.events.Manager()
# output
import pkg.monitor

x = pkg.monitor.Monitor()
