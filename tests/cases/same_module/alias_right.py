# rules: pkg.mod.warn -> pkg.mod.warning
# module: app.views
import pkg.mod as m

m.warn(1)
# output
import pkg.mod

pkg.mod.warning(1)
