# rules: origin.AClass -> destination.AClass
# module: destination
from origin import AClass
import os


class AClass:
    pass
# output
import os


class AClass:
    pass
