# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import (
    helper,
    Manager,
)

helper(Manager)
# output
from pkg.events import (
    helper,
)
from pkg.monitor import Monitor

helper(Monitor)
