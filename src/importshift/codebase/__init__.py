"""The tree under migration: which files, which modules, what each binds and imports."""
