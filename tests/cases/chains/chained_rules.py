# rules: a.A -> b.B
# rules: b.B -> c.C
# module: app.views
from a import A

A()
# output
from c import C

C()
