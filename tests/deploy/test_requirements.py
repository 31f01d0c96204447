"""The locked requirements: requirements.in and requirements-test.in name what
we depend on; `make lock` compiles them into requirements.txt and
requirements-test.txt, every package pinned with hashes. `make run` and the
image install only requirements.txt, so it must hold everything the app
imports (the smoke test, `make smoke`, proves the rest by running it)."""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"requirements.in": "requirements.txt", "requirements-test.in": "requirements-test.txt"}


def entries(path: Path) -> list[str]:
    """The requirement lines of a file, continuation lines joined, comments gone."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def locked(name: str) -> dict[str, tuple[str, int]]:
    """Package -> (pinned version, number of hashes)."""
    pins = {}
    for line in entries(ROOT / name):
        requirement, *options = line.split()
        package, _, version = requirement.partition("==")
        pins[canonicalize_name(package)] = (version, sum(option.startswith("--hash=sha256:") for option in options))
    return pins


def direct(name: str) -> list[Requirement]:
    return [Requirement(line) for line in entries(ROOT / name) if not line.startswith("-")]


@pytest.mark.parametrize("lock", LOCKS.values())
def test_every_locked_package_is_pinned_to_one_version_with_hashes(lock):
    pins = locked(lock)
    assert len(pins) > 20
    assert {package for package, (version, _) in pins.items() if not re.fullmatch(r"[\w.+!-]+", version)} == set()
    assert {package for package, (_, hashes) in pins.items() if hashes == 0} == set()


@pytest.mark.parametrize(("source", "lock"), LOCKS.items())
def test_the_lock_satisfies_every_direct_requirement_and_its_extras(source, lock):
    pins = locked(lock)
    for requirement in direct(source):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is in {source} but not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), f"{lock} pins {name} {pins[name][0]}"
        for extra in requirement.extras:
            needed = [
                Requirement(dependency)
                for dependency in importlib.metadata.requires(requirement.name) or []
                if Requirement(dependency).marker and Requirement(dependency).marker.evaluate({"extra": extra})
            ]
            assert needed, f"{requirement.name}[{extra}] adds nothing"
            assert {canonicalize_name(r.name) for r in needed} <= set(pins), f"{requirement.name}[{extra}]"


def test_the_test_lock_pins_exactly_what_the_app_runs():
    runtime, test = locked("requirements.txt"), locked("requirements-test.txt")
    assert {package: test.get(package, ("missing",))[0] for package in runtime} == {
        package: version for package, (version, _) in runtime.items()
    }


def test_this_environment_holds_the_locked_versions():
    installed = {}
    for package in locked("requirements-test.txt"):
        try:
            installed[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            installed[package] = "not installed"
    assert installed == {package: version for package, (version, _) in locked("requirements-test.txt").items()}


def app_imports() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in the app's code -> the files."""
    ours = {path.parent.name for path in ROOT.glob("*/__init__.py")} | {"manage"}
    found: dict[str, set[str]] = {}
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", ".venv", "var"} or relative.parts[0].startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(relative))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in ours and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(relative))
    return found


def test_every_module_the_app_imports_is_installed_by_requirements_txt():
    providers = importlib.metadata.packages_distributions()
    runtime = set(locked("requirements.txt"))
    imports = app_imports()
    assert {"django", "celery", "honcho"} <= set(imports)
    missing = {
        module: sorted(files)
        for module, files in imports.items()
        if not {canonicalize_name(dist) for dist in providers.get(module, [])} & runtime
    }
    assert missing == {}, "add these to requirements.in, then `make lock`"
