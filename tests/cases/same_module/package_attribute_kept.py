# rules: pkg.a_var -> pkg.b_var
# module: app.views
import pkg

print(pkg.a_var)
# output
import pkg

print(pkg.b_var)
