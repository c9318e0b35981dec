# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.factory.sub import thing
import pkg.factory.deep.er

thing(pkg.factory.deep.er.x)
# output
from pkg.canonical.sub import thing
import pkg.canonical.deep.er

thing(pkg.canonical.deep.er.x)
