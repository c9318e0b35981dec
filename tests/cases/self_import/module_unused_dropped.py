# rules: mod1 -> destination.mod1 [module]
# module: destination.mod1
import mod1
import os

X = os.sep
# output
import os

X = os.sep
