# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
from pkg.events import Manager


def build(Manager=None):
    return Manager


class Holder:
    Manager = 1

    def get(self):
        return self.Manager, Manager()
# output
from pkg.monitor import Monitor


def build(Manager=None):
    return Manager


class Holder:
    Manager = 1

    def get(self):
        return self.Manager, Monitor()
