# rules: pkg.events.Manager -> pkg.monitor.Monitor
# module: app.views
"""Views.

>>> Manager()
<Manager>
"""
from pkg.events import Manager

x = Manager()
# output
"""Views.

>>> Manager()
<Manager>
"""
from pkg.monitor import Monitor as Manager

x = Manager()
