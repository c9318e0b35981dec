"""Standard-library modules each platform lacks (data), and imports of them left unguarded."""

from __future__ import annotations

import ast

from importshift.codebase.facts import TRIES

_POSIX_ONLY = frozenset(
    {
        "posix",
        "pwd",
        "grp",
        "spwd",
        "crypt",
        "termios",
        "tty",
        "pty",
        "fcntl",
        "resource",
        "syslog",
        "nis",
        "ossaudiodev",
        "readline",
        "curses",
        "_curses",
        "_posixsubprocess",
    }
)
_WINDOWS_ONLY = frozenset(
    {"msvcrt", "winreg", "_winreg", "winsound", "_winapi", "nt", "msilib", "_msi", "_overlapped"}
)

MISSING: dict[str, frozenset[str]] = {
    "windows": _POSIX_ONLY,
    "linux": _WINDOWS_ONLY,
    "darwin": _WINDOWS_ONLY | {"spwd", "ossaudiodev"},
}


def unguarded(data: bytes, missing: frozenset[str]) -> list[tuple[int, int, str]]:
    """(line, column, top-level module) of each import of ``missing`` modules that no
    ``try/except ImportError`` or platform check guards; empty when it does not parse."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return []
    out: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Try) and _catches_import_error(child):
                for stmt in child.body:
                    visit_stmt(stmt, True)
                rest: list[ast.AST] = [*child.handlers, *child.orelse, *child.finalbody]
                for other in rest:
                    visit_stmt(other, guarded)
            elif isinstance(child, ast.If) and _platform_test(child.test):
                for stmt in child.body + child.orelse:
                    visit_stmt(stmt, True)
            else:
                visit_stmt(child, guarded)

    def visit_stmt(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not guarded:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module] if node.module and not node.level else [])
            )
            for name in names:
                top = name.partition(".")[0]
                if top in missing:
                    out.append((node.lineno, node.col_offset + 1, top))
        visit(node, guarded)

    visit(tree, False)
    return out


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        names = [n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)]
        if {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"} & set(names):
            return True
    return False


def _platform_test(test: ast.expr) -> bool:
    text = ast.unparse(test)
    return any(
        key in text for key in ("sys.platform", "os.name", "platform.system", "TYPE_CHECKING")
    )


_WIDE = {"ImportError", "Exception", "BaseException"}
CAUGHT_IMPORT_ERROR = "try/except ImportError"
CAUGHT_MODULE_NOT_FOUND = "try/except ModuleNotFoundError"


def _caught(node: ast.Try) -> str:
    """What a try statement's handlers swallow of a failed import: ImportError (or wider),
    ModuleNotFoundError only, or nothing. A handler that raises again swallows nothing."""
    best = ""
    for handler in node.handlers:
        if any(isinstance(stmt, ast.Raise) for stmt in handler.body):
            continue
        if handler.type is None:
            return CAUGHT_IMPORT_ERROR
        names = {
            n.id if isinstance(n, ast.Name) else n.attr
            for n in ast.walk(handler.type)
            if isinstance(n, (ast.Name, ast.Attribute))
        }
        if names & _WIDE:
            return CAUGHT_IMPORT_ERROR
        if "ModuleNotFoundError" in names:
            best = CAUGHT_MODULE_NOT_FOUND
    return best


def guards(tree: ast.Module) -> dict[int, str]:
    """Line -> guard of every import statement that cannot fail an import of its file:
    inside a ``try`` whose handlers swallow ImportError (``CAUGHT_IMPORT_ERROR``) or only
    ModuleNotFoundError (``CAUGHT_MODULE_NOT_FOUND``: "cannot import name" still fails), or
    under ``if TYPE_CHECKING:`` (never run). A function body starts unguarded: its imports
    fail when it is called, wherever it is defined."""
    out: dict[int, str] = {}

    def visit(nodes: list[ast.stmt], guard: str) -> None:
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if guard:
                    out[node.lineno] = guard
            elif isinstance(node, TRIES):
                visit(node.body, _caught(node) or guard)
                for handler in node.handlers:
                    visit(handler.body, guard)
                visit(node.orelse + node.finalbody, guard)
            elif isinstance(node, ast.If):
                test = node.test  # ``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``, nothing else
                checking = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                    isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
                )
                visit(node.body, "TYPE_CHECKING" if checking else guard)
                visit(node.orelse, guard)
            elif isinstance(node, (ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith)):
                visit(node.body + getattr(node, "orelse", []), guard)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(node.body, "")
            elif isinstance(node, ast.ClassDef):
                visit(node.body, guard)

    visit(tree.body, "")
    return out
