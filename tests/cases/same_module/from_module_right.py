# rules: pkg.mod.warn -> pkg.mod.warning
# module: app.views
from pkg import mod

mod.warn(1)
# output
import pkg.mod

pkg.mod.warning(1)
