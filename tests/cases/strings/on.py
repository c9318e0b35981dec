# rules: pkg.events.Manager -> pkg.monitor.Monitor
# rules: pkg.factory -> pkg.canonical [module]
# module: app.views
# strings: true
from unittest import mock

mock.patch("pkg.events.Manager")
mock.patch('pkg.events.Manager.method')
importlib.import_module("pkg.factory.sub")
not_a_path = "pkg.events.Managerial"
# output
from unittest import mock

mock.patch("pkg.monitor.Monitor")
mock.patch('pkg.monitor.Monitor.method')
importlib.import_module("pkg.canonical.sub")
not_a_path = "pkg.events.Managerial"
