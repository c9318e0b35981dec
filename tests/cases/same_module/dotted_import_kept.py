# rules: a.b.warn -> a.b.warning
# module: app.views
import a.b

a.b.warn(1)
# output
import a.b

a.b.warning(1)
