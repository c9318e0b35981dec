# rules: pkg.events.Manager -> pkg.monitor.Manager
# module: app.views
try:
    from pkg.monitor import Manager
except ImportError:
    from pkg.events import Manager
