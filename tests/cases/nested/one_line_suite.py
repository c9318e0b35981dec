# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
if True: from pkg.events import Manager
# output
if True: from pkg.monitor import Monitor
