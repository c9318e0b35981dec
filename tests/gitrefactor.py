"""A real git repository with a refactor commit that moves modules and symbols, and
leaves the importers broken (as a refactor merged without updating them does)."""

from __future__ import annotations

import os
import subprocess

from helpers import make_tree

FACTORY = '''\
"""Builds websocket managers."""


class ManagerConfig:
    def __init__(self, url):
        self.url = url
        self.retries = 3


def create_websocket_manager(config):
    manager = {"url": config.url, "retries": config.retries}
    manager["ready"] = bool(config.url)
    return manager
'''

EVENTS = """\
class EventManager:
    def __init__(self):
        self.handlers = []

    def emit(self, event):
        return [h(event) for h in self.handlers]
"""

TEXT = """\
def slugify(value):
    return "-".join(value.lower().split())


def old_name(x):
    return x * 2 + 1
"""

BEFORE: dict[str, str | bytes] = {
    "rules.yaml": "version: 1\n",
    "app/__init__.py": "",
    "app/services/__init__.py": "",
    "app/services/websocket_manager_factory.py": FACTORY,
    "app/websocket_core/__init__.py": "",
    "app/websocket_core/events.py": EVENTS,
    "app/utils/__init__.py": "",
    "app/utils/text.py": TEXT,
    "app/legacy/__init__.py": "",
    "app/legacy/a.py": "class A:\n    kind = 'a'\n",
    "app/legacy/b.py": "def b():\n    return 'b'\n",
    # decoys: same names defined elsewhere
    "app/monitoring/__init__.py": "",
    "app/monitoring/events.py": "class Probe:\n    pass\n",
    "app/other/__init__.py": "",
    "app/other/factory.py": "def create_websocket_manager(config):\n    return None\n",
    "tests/__init__.py": "",
    "tests/ws_helpers.py": (
        "class ManagerConfig:\n    url = ''\n\n\n"
        "def create_websocket_manager(config):\n    return 'fake'\n"
    ),
    # importers (left as they were by the refactor)
    "app/views.py": (
        "from app.services.websocket_manager_factory import (\n"
        "    ManagerConfig,\n    create_websocket_manager,\n)\n"
        "from app.websocket_core.events import EventManager\n"
        "from app.utils.text import slugify, old_name\n"
    ),
    "app/jobs.py": (
        "from app.services.websocket_manager_factory import create_websocket_manager\n"
        "from app.services.websocket_manager_factory import ManagerConfig\n"
        "from app.legacy.a import A\n"
    ),
    "app/api.py": "from app.services.websocket_manager_factory import create_websocket_manager\n",
    "tests/test_views.py": "from app.legacy import b\n",
}


def git(root: str, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


def refactor_repo(root: str) -> str:
    """Build the repository; return the revision before the refactor (``HEAD`` is after)."""
    make_tree(root, BEFORE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "before")
    before = git(root, "rev-parse", "HEAD").strip()
    # the refactor: a factory module folded into canonical_imports, events.py renamed to
    # event_monitor.py with its class renamed, slugify moved, old_name renamed, and the
    # whole legacy package renamed to compat
    os.remove(os.path.join(root, "app/services/websocket_manager_factory.py"))
    make_tree(
        root,
        {
            "app/websocket_core/canonical_imports.py": (
                '"""The one place websocket managers come from."""\n\nimport json\n\n\n'
                + FACTORY.split('"""\n', 1)[1].lstrip("\n")
                + "\n\ndef dumps(x):\n    return json.dumps(x)\n"
            ),
        },
    )
    git(root, "mv", "app/websocket_core/events.py", "app/websocket_core/event_monitor.py")
    path = os.path.join(root, "app/websocket_core/event_monitor.py")
    with open(path) as fh:
        text = fh.read()
    with open(path, "w") as fh:
        fh.write(text.replace("class EventManager:", "class ChatEventMonitor:"))
    with open(os.path.join(root, "app/utils/text.py"), "w") as fh:
        fh.write(TEXT.split("\n\n\n")[1].replace("def old_name", "def new_name"))
    make_tree(root, {"app/utils/strings.py": TEXT.split("\n\n\n")[0] + "\n"})
    git(root, "mv", "app/legacy", "app/compat")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "refactor: consolidate websocket modules")
    return before


EXPECTED_MOVES = {
    (
        "app.services.websocket_manager_factory.create_websocket_manager",
        "app.websocket_core.canonical_imports.create_websocket_manager",
    ),
    (
        "app.services.websocket_manager_factory.ManagerConfig",
        "app.websocket_core.canonical_imports.ManagerConfig",
    ),
    ("app.websocket_core.events", "app.websocket_core.event_monitor"),
    ("app.websocket_core.events.EventManager", "app.websocket_core.event_monitor.ChatEventMonitor"),
    ("app.utils.text.slugify", "app.utils.strings.slugify"),
    ("app.utils.text.old_name", "app.utils.text.new_name"),
    ("app.legacy", "app.compat"),
}
