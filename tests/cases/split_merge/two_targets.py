# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.events.Filter -> pkg.filters.Filter
# module: app.views
from pkg.events import Filter, Manager, stay

stay(Filter, Manager)
# output
from pkg.events import stay
from pkg.filters import Filter
from pkg.monitor import Monitor

stay(Filter, Monitor)
