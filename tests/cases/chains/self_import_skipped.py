# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: pkg.monitor
from pkg.events import Manager
