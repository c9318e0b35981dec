"""RenameKwarg: rename a keyword argument at every call site of one function.

Typical after a move: the function's new home renamed a parameter (``user`` -> ``user_id``).
Calls are matched by qualified name, so aliases (``import m as x; x.f(user=1)``,
``from m import f as g; g(user=1)``) are found and unrelated functions that happen to share
the name are not.

rules.yaml::

    codemods:
      - use: codemods/rename_kwarg.py:RenameKwarg
        args: {function: pkg.api.create, old: user, new: user_id}

Examples (each one is also a test in tests/codemods/test_rename_kwarg.py):
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.metadata import QualifiedNameProvider

EXAMPLES = [
    # (function, old, new, before, after)
    ("m.f", "user", "user_id", "from m import f\nf(user=1)\n", "from m import f\nf(user_id=1)\n"),
    (
        "m.f",
        "user",
        "user_id",
        "import m as mod\nmod.f(1, user = 2)  # keep\n",
        "import m as mod\nmod.f(1, user_id = 2)  # keep\n",
    ),
    (
        "m.f",
        "user",
        "user_id",
        "from m import f as g\ng(user=1)\n",
        "from m import f as g\ng(user_id=1)\n",
    ),
    (
        "m.f",
        "user",
        "user_id",  # another function with the same name is left alone
        "from other import f\nf(user=1)\n",
        "from other import f\nf(user=1)\n",
    ),
    (
        "pkg.m.f",
        "user",
        "user_id",  # relative imports resolve against the file's module
        "from .m import f\nf(user=1)\n",
        "from .m import f\nf(user_id=1)\n",
    ),
    (
        "m.f",
        "user",
        "user_id",  # a call that already passes the new name is not touched
        "from m import f\nf(user=1, user_id=2)\n",
        "from m import f\nf(user=1, user_id=2)\n",
    ),
]


class RenameKwarg(VisitorBasedCodemodCommand):
    DESCRIPTION = "Rename a keyword argument at every call site of a function."
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    @staticmethod
    def TOKENS(function: str, old: str, new: str) -> list[str]:  # noqa: N802
        """A file is looked at only if it contains the old keyword."""
        return [old]

    def __init__(self, context: CodemodContext, function: str, old: str, new: str) -> None:
        super().__init__(context)
        self.function = function
        self.old = old
        self.new = new

    def _absolute(self, name: str) -> str:
        """Qualified names of relative imports start with dots: resolve them."""
        if not name.startswith(".") or not self.context.full_module_name:
            return name
        level = len(name) - len(name.lstrip("."))
        parts = self.context.full_module_name.split(".")
        if not (self.context.filename or "").endswith("__init__.py"):
            parts = parts[:-1]
        base = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
        return ".".join([*base, name.lstrip(".")])

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        names = {
            self._absolute(q.name)
            for q in self.get_metadata(QualifiedNameProvider, original_node, set())
        }
        if self.function not in names:
            return updated_node
        keywords = {a.keyword.value for a in updated_node.args if a.keyword is not None}
        if self.old not in keywords or self.new in keywords:
            return updated_node
        args = [
            a.with_changes(keyword=a.keyword.with_changes(value=self.new))
            if a.keyword is not None and a.keyword.value == self.old
            else a
            for a in updated_node.args
        ]
        return updated_node.with_changes(args=args)
