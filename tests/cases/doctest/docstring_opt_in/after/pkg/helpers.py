"""Helpers.

>>> from pkg.monitor import Monitor
>>> Monitor()
<Manager>
"""


def f():
    """
        >>> import pkg.monitor
        >>> pkg.monitor.Monitor()
    """
