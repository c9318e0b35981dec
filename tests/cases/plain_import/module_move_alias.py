# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
import pkg.factory as f

f.create()
# output
import pkg.canonical as f

f.create()
