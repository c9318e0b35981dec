"""A star import of a moved module, and a stdlib move (collections -> collections.abc)."""

from collections import Mapping, OrderedDict

from shop.websocket_core.websocket_manager_factory import *  # noqa: F403


def snapshot(data: Mapping) -> OrderedDict:
    return OrderedDict(sorted(data.items()), managers=manager_count())  # noqa: F405
