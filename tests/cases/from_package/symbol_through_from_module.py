# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg import events

events.Manager()
events.helper()
# output
from pkg import events
import pkg.monitor

pkg.monitor.Monitor()
events.helper()
