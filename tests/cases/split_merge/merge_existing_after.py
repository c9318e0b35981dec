# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager
from pkg.monitor import Other

Manager(Other)
# output
from pkg.monitor import Monitor, Other

Monitor(Other)
