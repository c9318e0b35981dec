# rules: mod1 -> destination.mod1 [module]
# module: destination.mod1
import mod1

X = mod1.helper
