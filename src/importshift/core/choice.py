"""A tiny enum: one instance per value, compared with ``is``, picklable.

The standard ``enum`` module costs several milliseconds to import, and ``migrate check``
(which runs on every commit) has a budget of a few tens of milliseconds in all.
"""

from __future__ import annotations


class Choice:
    __slots__ = ("value", "name")
    value: str
    name: str
    _members: dict[str, Choice]

    def __init_subclass__(cls) -> None:
        cls._members = {}

    def __new__(cls, value: str) -> Choice:
        try:
            return cls._members[value]
        except KeyError:
            raise ValueError(f"{value!r} is not a valid {cls.__name__}") from None

    @classmethod
    def define(cls, **members: str) -> None:
        for name, value in members.items():
            obj = object.__new__(cls)
            obj.value = value
            obj.name = name
            cls._members[value] = obj
            setattr(cls, name, obj)

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (type(self), (self.value,))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self.name}>"
