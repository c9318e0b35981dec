# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
import pkg.factory

pkg.factory.create()
pkg.other()
# output
import pkg.canonical

pkg.canonical.create()
pkg.other()
