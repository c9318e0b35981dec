# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.events.Filter -> pkg.monitor.Filter
# module: app.views
from pkg.events import (
    Filter,  # filters
    Manager,  # managers
    stay,
)

stay(Manager, Filter)
# output
from pkg.events import (
    stay,
)
from pkg.monitor import (
    Filter,  # filters
    Monitor,  # managers
)

stay(Monitor, Filter)
