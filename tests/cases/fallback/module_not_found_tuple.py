# rules: pkg.events.Manager -> pkg.monitor.Manager
# module: app.views
try:
    from pkg.monitor import Manager
except (ModuleNotFoundError, AttributeError):
    from pkg.events import Manager
