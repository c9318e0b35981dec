# rules: pkg.events.Manager -> pkg.monitor.Manager
# module: app.views
try:
    from pkg.monitor import Manager
except ValueError:
    from pkg.events import Manager
# output
try:
    from pkg.monitor import Manager
except ValueError:
    from pkg.monitor import Manager
