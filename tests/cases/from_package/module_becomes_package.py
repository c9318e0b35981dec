# rules: pkg.report -> pkg.report.plan [module]
# module: app.views
from pkg import report
from pkg.report import render
from pkg.report.plan import PLAN
import pkg.report.plan

report.render(render, PLAN, pkg.report.plan.X)
# output
from pkg.report import plan as report
from pkg.report.plan import render, PLAN
import pkg.report.plan

report.render(render, PLAN, pkg.report.plan.X)
