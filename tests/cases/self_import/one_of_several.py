# rules: origin.AClass -> destination.AClass
# module: destination
from origin import AClass, helper


class AClass:
    pass
# output
from origin import helper


class AClass:
    pass
