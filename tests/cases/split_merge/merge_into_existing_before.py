# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.monitor import Other
from pkg.events import Manager, helper

helper(Manager, Other)
# output
from pkg.monitor import Other, Monitor
from pkg.events import helper

helper(Monitor, Other)
