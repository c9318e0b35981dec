# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
def f():
    from pkg.events import Manager
    return Manager()


Manager = "module level name, untouched"
# output
def f():
    from pkg.monitor import Monitor
    return Monitor()


Manager = "module level name, untouched"
