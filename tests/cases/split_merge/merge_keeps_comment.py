# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
from pkg.monitor import Other  # keep this comment
from pkg.events import Manager

Manager(Other)
# output
from pkg.monitor import Other, Monitor  # keep this comment

Monitor(Other)
