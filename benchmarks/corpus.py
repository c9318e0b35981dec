"""A deterministic, realistic repository of N Python files, with its rules.yaml.

Most files mention no moved name; a few percent import the moved names in every form the
engine handles (aliases, parenthesised lists with comments, relative imports, `import a.b`
chains, TYPE_CHECKING and function-level imports, star imports, mock.patch strings). A few
files do not parse, some use CRLF, some are latin-1 with a coding cookie.
"""

from __future__ import annotations

import argparse
import os
import random

MOVES = [
    ("corp.core.events.EventManager", "corp.core.monitor.EventMonitor", "symbol"),
    ("corp.core.events.EventFilter", "corp.core.monitor.EventFilter", "symbol"),
    ("corp.core.factory", "corp.core.canonical", "module"),
    ("corp.util.legacy_helpers.retry", "corp.util.retrying.retry", "symbol"),
    ("corp.util.legacy_helpers.Timer", "corp.util.timing.Timer", "symbol"),
    ("corp.models.old_base", "corp.models.base", "module"),
]

RULES = """\
version: 1
source_roots: ["."]
exclude: ["backups/**"]
moves:
""" + "".join(
    f"  - old: {old}\n    new: {new}\n" + ("    strings: true\n" if i == 0 else "")
    for i, (old, new, _) in enumerate(MOVES)
)

SHIMS = {
    "corp/__init__.py": "",
    "corp/core/__init__.py": "",
    "corp/core/monitor.py": "class EventMonitor:\n    def emit(self, e):\n        return e\n\n\n"
    "class EventFilter:\n    pass\n",
    "corp/core/events.py": "import warnings\n\nfrom .monitor import EventFilter, "
    "EventMonitor as EventManager\n\nwarnings.warn('use corp.core."
    "monitor', DeprecationWarning, stacklevel=2)\n",
    "corp/core/canonical.py": "def create(name):\n    return name\n\n\ndef registry():\n"
    "    return {}\n",
    "corp/core/factory.py": "from .canonical import *  # noqa: F403\n",
    "corp/util/__init__.py": "",
    "corp/util/retrying.py": "def retry(fn, times=3):\n    return fn\n",
    "corp/util/timing.py": "class Timer:\n    def __enter__(self):\n        return self\n\n"
    "    def __exit__(self, *a):\n        return False\n",
    "corp/util/legacy_helpers.py": "from corp.util.retrying import retry\n"
    "from corp.util.timing import Timer\n",
    "corp/models/__init__.py": "",
    "corp/models/base.py": "class Model:\n    fields = ()\n",
    "corp/models/old_base.py": "from corp.models.base import *  # noqa: F403\n",
}

_USES = [
    # (import block, body using the names)
    ("from corp.core.events import EventManager\n", "    return EventManager().emit(x)\n"),
    (
        "from corp.core.events import EventManager as EM, EventFilter\n",
        "    return EM(), EventFilter\n",
    ),
    (
        "from corp.core.events import (\n    EventFilter,  # filters\n    EventManager,\n)\n",
        "    return EventManager, EventFilter\n",
    ),
    ("import corp.core.factory\n", "    return corp.core.factory.create(x)\n"),
    ("from corp.core import factory\n", "    return factory.registry()\n"),
    ("import corp.core.events as ev\n", "    return ev.EventManager()\n"),
    (
        "from corp.util.legacy_helpers import retry, Timer\n",
        "    with Timer():\n        return retry(x)\n",
    ),
    ("from corp.models.old_base import Model\n", "    return Model.fields\n"),
    ("from corp.models import old_base\n", "    return old_base.Model\n"),
    (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from corp.core.events import EventManager\n",
        "    return x  # type: EventManager\n",
    ),
    ("", "    from corp.util.legacy_helpers import retry\n    return retry(x)\n"),
    ("from corp.core.factory import *  # noqa: F403\n", "    return create(x)  # noqa: F405\n"),
]

_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "omega",
    "sigma",
    "kappa",
    "theta",
    "lambda_",
    "zeta",
    "eta",
    "iota",
    "rho",
    "tau",
    "phi",
    "chi",
    "psi",
    "mu",
    "nu",
    "xi",
]


def _filler(rng: random.Random, functions: int) -> str:
    out = []
    for i in range(functions):
        a, b, c = rng.sample(_WORDS, 3)
        out.append(
            f"\n\ndef {a}_{i}({b}, {c}=None):\n"
            f'    """Compute {a} from {b} and {c}."""\n'
            f"    result = []\n"
            f"    for item in {b} or []:\n"
            f"        if item and {c} is not None:\n"
            f"            result.append((item, {c}, len(str(item)) * {i}))\n"
            f"        elif isinstance(item, dict):\n"
            f"            result.extend(sorted(item.items()))\n"
            f"    return {{'name': '{a}', 'values': result, 'count': len(result)}}\n"
        )
        if rng.random() < 0.3:
            out.append(
                f"\n\nclass {a.capitalize()}{i}:\n"
                f"    def __init__(self, {b}):\n        self.{b} = {b}\n\n"
                f"    def run(self):\n        return {a}_{i}([self.{b}])\n"
            )
    return "".join(out)


def generate(root: str, n: int = 10_000, seed: int = 1, mention_rate: float = 0.05) -> None:
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "rules.yaml"), "w") as fh:
        fh.write(RULES)
    for rel, text in SHIMS.items():
        _write(root, rel, text.encode())
    packages = max(1, n // 200)
    made = len(SHIMS)
    index = 0
    while made < n:
        pkg = f"corp/app{index % packages}"
        sub = f"sub{(index // packages) % 10}"
        for init in (f"{pkg}/__init__.py", f"{pkg}/{sub}/__init__.py"):
            if not os.path.exists(os.path.join(root, init)):
                _write(root, init, b"")
                made += 1
        is_test = rng.random() < 0.1
        name = f"test_mod{index}.py" if is_test else f"mod{index}.py"
        rel = f"{pkg}/{sub}/{name}"
        header = '"""Generated module."""\n\nimport os\nimport json\nfrom typing import Any\n'
        body = _filler(rng, rng.randint(4, 14))
        if rng.random() < mention_rate:
            imports, use = rng.choice(_USES)
            header += imports
            body += f"\n\ndef uses_moved(x):\n{use}"
            if is_test:
                body += (
                    "\n\ndef test_patch():\n    from unittest import mock\n\n"
                    "    with mock.patch('corp.core.events.EventManager'):\n"
                    "        pass\n"
                )
        elif rng.random() < 0.02:
            header += "from corp.core.monitor import EventMonitor\n"  # already migrated
        text = header + body
        roll = rng.random()
        if roll < 0.004:
            text += "\nprint 'python 2 leftover'\n"
        data = text.encode()
        if 0.004 <= roll < 0.03:
            data = data.replace(b"\n", b"\r\n")
        elif 0.03 <= roll < 0.035:
            data = b"# -*- coding: latin-1 -*-\n" + data + "\nNAME = 'caf\xe9'\n".encode("latin-1")
        _write(root, rel, data)
        made += 1
        index += 1


def _write(root: str, rel: str, data: bytes) -> None:
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root")
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.root, args.n, args.seed)


if __name__ == "__main__":
    main()
