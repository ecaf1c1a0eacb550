"""The lock files in requirements/ are what pyproject.toml asks for: every requirement is
pinned there at a version that satisfies it, with hashes, and the three files agree.

A failure here after editing pyproject.toml means: run `make lock` and commit the result.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def locked(name: str) -> dict[str, Version]:
    """name -> version of every package pinned in requirements/<name>.txt (for Linux and
    CPython 3.11, where markers say so); fails on a pin without a hash."""
    lines = (ROOT / "requirements" / f"{name}.txt").read_text().splitlines()
    pins: dict[str, Version] = {}
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        package, version, marker = match.groups()
        assert lines[number + 1].strip().startswith("--hash=sha256:"), f"{package}: no hash"
        if marker and not Marker(marker).evaluate(
            {"sys_platform": "linux", "platform_system": "Linux", "python_version": "3.11"}
        ):
            continue
        pins[canonicalize_name(package)] = Version(version)
    return pins


def requirements(*extras: str) -> list[Requirement]:
    """The project's dependencies plus those of `extras`, self-references expanded."""
    found = [Requirement(line) for line in PROJECT["dependencies"]]
    pending, seen = list(extras), set()
    while pending:
        extra = pending.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for line in PROJECT["optional-dependencies"][extra]:
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) == canonicalize_name(PROJECT["name"]):
                pending.extend(requirement.extras)
            else:
                found.append(requirement)
    return found


@pytest.mark.parametrize(("lock", "extras"), [("app", ()), ("run", ("local",)), ("dev", ("dev",))])
def test_every_requirement_is_pinned_at_a_version_it_allows(
    lock: str, extras: tuple[str, ...]
) -> None:
    pins = locked(lock)
    stale = []
    for requirement in requirements(*extras):
        version = pins.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            stale.append(f"{requirement} (locked: {version})")
    assert not stale, f"requirements/{lock}.txt is stale, run `make lock`: {stale}"


def test_the_image_and_make_run_get_the_versions_the_tests_ran_with() -> None:
    dev = locked("dev")
    for lock in ("app", "run"):
        differing = {
            name: (str(version), str(dev.get(name)))
            for name, version in locked(lock).items()
            if dev.get(name) != version
        }
        assert not differing, f"requirements/{lock}.txt differs from dev.txt: {differing}"


def test_make_run_installs_no_test_or_lint_tool() -> None:
    run = locked("run")
    assert "moto" in run and "django" in run
    for tool in ("pytest", "mypy", "ruff", "playwright", "aws-cdk-lib", "django-stubs"):
        assert tool not in run, tool
