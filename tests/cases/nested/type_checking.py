# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.events import Manager


def f(m: Manager) -> None:
    pass
# output
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.monitor import Monitor


def f(m: Monitor) -> None:
    pass
