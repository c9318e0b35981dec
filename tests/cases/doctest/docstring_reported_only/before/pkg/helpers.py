"""Helpers.

>>> from pkg.events import Manager
>>> Manager()
<Manager>
"""


def f():
    """
        >>> import pkg.events
        >>> pkg.events.Manager()
    """
