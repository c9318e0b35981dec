from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=60)
settings.register_profile("slow", deadline=None, max_examples=1000)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="long randomized runs")
    parser.addoption(
        "--no-posix",
        action="store_true",
        help="run without os.fork, os.killpg, os.setsid, signal.SIGALRM and fcntl (as on "
        "Windows), in this process and in every Python it starts",
    )


_NO_POSIX = pytest.MonkeyPatch()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "posix: needs the POSIX-only calls (skipped by --no-posix)")
    if config.getoption("--no-posix"):
        from portable import noposix

        noposix.remove(_NO_POSIX)
        site = noposix.site_dir()
        _NO_POSIX.setenv(
            "PYTHONPATH", os.pathsep.join(filter(None, [site, os.environ.get("PYTHONPATH")]))
        )
        _NO_POSIX.setenv("IMPORTSHIFT_NO_POSIX", "1")
    if config.getoption("--slow"):
        settings.load_profile("slow")
    elif os.environ.get("CI"):
        settings.load_profile("ci")
    else:
        settings.load_profile("dev")


def pytest_unconfigure(config: pytest.Config) -> None:
    _NO_POSIX.undo()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--no-posix"):
        posix = pytest.mark.skip(reason="needs POSIX-only calls (--no-posix)")
        for item in items:
            if "posix" in item.keywords:
                item.add_marker(posix)
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="long run: use --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
