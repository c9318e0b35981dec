# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg import factory

factory.create()
# output
from pkg import canonical

canonical.create()
