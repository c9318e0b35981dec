# rules: pkg.sub.events.Manager -> pkg.sub.monitor.Monitor
# module: pkg.sub
# package: true
from .events import Manager

Manager()
# output
from .monitor import Monitor as Manager

Manager()
