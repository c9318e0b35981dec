"""A hypothesis strategy for Python modules full of imports, aliases and usages."""

from __future__ import annotations

from hypothesis import strategies as st

MOVED_MODULES = ["pkg.events", "pkg.factory", "pkg"]
OTHER_MODULES = ["other.lib", "pkg.monitor", "collections", "os.path"]
NAMES = ["Manager", "helper", "Filter", "factory", "events", "create", "Monitor", "path"]
ALIASES = ["m", "Manager", "ev", "fac", "Monitor", "helper"]


@st.composite
def _from_import(draw: st.DrawFn, modules: list[str]) -> str:
    module = draw(st.sampled_from(modules))
    level = draw(st.sampled_from(["", "", ".", ".."])) if module.startswith("pkg") else ""
    if level:
        module = module.partition(".")[2] if level == "." else module.partition(".")[2]
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    parts = []
    for name in names:
        alias = draw(st.sampled_from([None, None, *ALIASES]))
        parts.append(f"{name} as {alias}" if alias and alias != name else name)
    if draw(st.booleans()):
        comment = draw(st.sampled_from(["", "  # note"]))
        body = "".join(f"    {p},{comment if i == 0 else ''}\n" for i, p in enumerate(parts))
        return f"from {level}{module} import (\n{body})"
    return f"from {level}{module or '.'} import {', '.join(parts)}".replace(
        "from . import", "from . import"
    )


@st.composite
def _import(draw: st.DrawFn, modules: list[str]) -> str:
    module = draw(st.sampled_from(modules))
    alias = draw(st.sampled_from([None, None, "m", "ev"]))
    return f"import {module} as {alias}" if alias else f"import {module}"


def _usage(modules: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NAMES + ALIASES).map(lambda n: f"x = {n}"),
        st.sampled_from(NAMES + ALIASES).map(lambda n: f"{n}.attr = 1"),
        st.tuples(st.sampled_from(modules), st.sampled_from(NAMES)).map(
            lambda t: f"y = {t[0]}.{t[1]}()"
        ),
        st.sampled_from(NAMES).map(lambda n: f"def f({n}=None):\n    return {n}"),
        st.sampled_from(NAMES).map(lambda n: f"class K:\n    {n} = 1"),
        st.tuples(st.sampled_from(modules), st.sampled_from(NAMES)).map(
            lambda t: f"s = '{t[0]}.{t[1]}'"
        ),
        # names spelled without being read, and bindings that shadow an import
        st.sampled_from(NAMES + ALIASES).map(lambda n: f"call({n}=1, key=obj.{n})"),
        st.sampled_from(NAMES + ALIASES).map(lambda n: f"z = f'{{{n}!r}}'"),
        st.sampled_from(NAMES).map(lambda n: f"def h(a: '{n}') -> None:\n    pass"),
        st.sampled_from(NAMES).map(lambda n: f"w = [{n} for {n} in ()]"),
        st.sampled_from(NAMES).map(lambda n: f"q = lambda {n}: {n}.attr"),
        st.sampled_from(NAMES).map(lambda n: f"match v:\n    case P({n}=1):\n        pass"),
        st.just("# a comment"),
        st.just(""),
        st.sampled_from(NAMES).map(lambda n: f"__all__ = ['{n}']"),
    )


@st.composite
def modules_source(draw: st.DrawFn, modules: list[str] | None = None) -> str:
    """A module made of imports (top level, nested) and usages of the imported names."""
    modules = modules or MOVED_MODULES + OTHER_MODULES
    statements = draw(
        st.lists(
            st.one_of(_from_import(modules), _import(modules), _usage(modules)),
            min_size=1,
            max_size=12,
        )
    )
    lines = []
    for stmt in statements:
        wrap = draw(st.sampled_from(["", "", "", "if TYPE_CHECKING:", "def g():", "try:"]))
        if wrap and not stmt.startswith(("def ", "class ")) and stmt:
            body = "\n".join("    " + line for line in stmt.splitlines())
            extra = "\nexcept ImportError:\n    pass" if wrap == "try:" else ""
            lines.append(f"{wrap}\n{body}{extra}")
        else:
            lines.append(stmt)
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return (
        newline.join(lines).replace("\n", newline) + newline
        if newline == "\n"
        else "\r\n".join("\n".join(lines).split("\n")) + "\r\n"
    )


def unrelated_source() -> st.SearchStrategy[str]:
    return modules_source(OTHER_MODULES)
