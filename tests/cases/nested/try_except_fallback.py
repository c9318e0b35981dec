# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
try:
    from pkg.events import Manager
except ImportError:
    Manager = None
# output
try:
    from pkg.monitor import Monitor as Manager
except ImportError:
    Manager = None
