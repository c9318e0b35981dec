"""Standard-library modules each platform lacks (data, not code)."""

from __future__ import annotations

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
