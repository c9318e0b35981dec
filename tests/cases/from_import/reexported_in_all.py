# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager

__all__ = ["Manager"]
# output
from pkg.monitor import Monitor as Manager

__all__ = ["Manager"]
