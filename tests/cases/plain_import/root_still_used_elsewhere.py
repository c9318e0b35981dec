# rules: a.b -> x.y [module]
# module: app.views
import a.b.c

a.b.c.run()
a.other.thing()
# output
import x.y.c
import a

x.y.c.run()
a.other.thing()
