# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.monitor import Other
x = 1
from pkg.events import Manager  # why we need it

Manager(Other, x)
# output
from pkg.monitor import Other
x = 1
from pkg.monitor import Monitor  # why we need it

Monitor(Other, x)
