# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import (
    helper,
    Manager,  # the manager
    other,
)

helper(Manager, other)
# output
from pkg.events import (
    helper,
    other,
)
from pkg.monitor import Monitor  # the manager

helper(Monitor, other)
