# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg import factory as fac

fac.create()
# output
from pkg import canonical as fac

fac.create()
