"""backend/requirements.lock pins every dependency of pyproject.toml (with hashes), and the environment the
tests run in is the one the lock describes: a fresh clone installs what these tests passed with."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BACKEND = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _declared(*, dev: bool = True) -> list[Requirement]:
    project = tomllib.loads((BACKEND / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {}).get("dev", []) if dev else []
    return [Requirement(line) for line in [*project["dependencies"], *extras]]


def _locked(name: str = "requirements.lock") -> dict[str, str]:
    pins: dict[str, str] = {}
    lines = (BACKEND / name).read_text().splitlines()
    for index, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            following = lines[index + 1] if index + 1 < len(lines) else ""
            assert following.strip().startswith("--hash=sha256:"), f"{match[1]} is pinned without a hash"
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    locked = _locked()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock pins {requirement.name}=={locked[name]}, outside {requirement.specifier}: `make lock`"
        )


def test_the_installed_packages_are_the_locked_versions() -> None:
    locked = _locked()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert metadata.version(requirement.name) == locked[name], (
            f"{requirement.name} {metadata.version(requirement.name)} is installed, the lock says {locked[name]}: "
            "run `make install`"
        )


def test_the_docker_lock_pins_the_runtime_dependencies_at_the_tested_versions() -> None:
    tested, image = _locked(), _locked("requirements-prod.lock")
    for requirement in _declared(dev=False):
        name = canonicalize_name(requirement.name)
        assert image.get(name) == tested[name], f"requirements-prod.lock differs on {requirement.name}: run `make lock`"
    assert set(image) <= set(tested), "requirements-prod.lock has packages the tests never installed"
