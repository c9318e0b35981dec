# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
class K:
    from pkg.events import Manager

    def f(self):
        return self.Manager
# output
class K:
    from pkg.monitor import Monitor as Manager

    def f(self):
        return self.Manager
