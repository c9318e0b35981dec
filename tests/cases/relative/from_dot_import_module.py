# rules: pkg.factory -> pkg.canonical [module]
# module: pkg.views
from . import factory

factory.create()
# output
from . import canonical

canonical.create()
