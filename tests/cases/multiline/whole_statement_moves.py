# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.events.Filter -> pkg.monitor.Filter
# module: app.views
from pkg.events import (  # header comment
    Filter,  # filters
    Manager,
)

Manager(Filter)
# output
from pkg.monitor import (  # header comment
    Filter,  # filters
    Monitor,
)

Monitor(Filter)
