"""Supply chain (issue 18): the dependency locks, the install path that uses them, the audit.

The Python locks (``requirements/*.txt``, written by ``make lock``) must pin every package
pyproject.toml asks for, and everything those need, each with its SHA-256 hashes; the npm
lock must pin package.json's packages with their integrity hashes; ``make`` must install
from them and nothing else (read from ``make -n``, what make would run); ``.ci/audit.py``
must tell a finding, a clean audit and an advisory service it could not reach apart.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import REPO

LOCKS = {name: REPO / "requirements" / f"{name}.txt" for name in ("run", "dev", "bench")}
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def read_lock(path: Path) -> dict[str, tuple[str, list[str], str]]:
    """Package (canonical name) -> (pinned version, hashes, the whole entry)."""
    entries: dict[str, tuple[str, list[str], str]] = {}
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        entry = line.split(" #", 1)[0].strip()
        if not entry or entry.startswith("#"):
            continue
        spec, *options = entry.split(" --")
        spec = spec.strip()
        requirement = Requirement(spec)
        pins = [s.version for s in requirement.specifier if s.operator == "=="]
        hashes = [o.strip().removeprefix("hash=") for o in options if o.startswith("hash=")]
        entries[canonicalize_name(requirement.name)] = (pins[0] if pins else "", hashes, entry)
    return entries


def declared(*extras: str) -> list[Requirement]:
    """pyproject.toml's requirements with ``extras`` (``itugraph[x]`` inside an extra expanded)."""
    found = [Requirement(r) for r in PYPROJECT["dependencies"]]
    for extra in extras:
        for text in PYPROJECT["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if requirement.name == PYPROJECT["name"]:
                found += declared(*requirement.extras)
            else:
                found.append(requirement)
    return found


SETS = {"run": (), "dev": ("dev",), "bench": tuple(PYPROJECT["optional-dependencies"])}


@pytest.mark.parametrize("name", sorted(SETS))
def test_each_lock_pins_every_declared_dependency_in_its_range(name: str) -> None:
    lock = read_lock(LOCKS[name])
    for requirement in declared(*SETS[name]):
        key = canonicalize_name(requirement.name)
        assert key in lock, f"{LOCKS[name].name} lacks {requirement}: run `make lock`"
        assert requirement.specifier.contains(lock[key][0], prereleases=True), (
            f"{LOCKS[name].name} pins {key}=={lock[key][0]}, outside {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_lock_entry_is_one_exact_version_with_sha256_hashes(name: str) -> None:
    lock = read_lock(LOCKS[name])
    assert len(lock) >= len(declared(*SETS[name])) // 2
    for package, (version, hashes, entry) in lock.items():
        assert version, f"{package} is not pinned to one version: {entry}"
        assert hashes and all(h.startswith("sha256:") and len(h) == 7 + 64 for h in hashes), entry


def test_the_locks_agree_and_nest() -> None:
    """run ⊂ dev ⊂ bench, each package at one version in all three."""
    run, dev, bench = (read_lock(LOCKS[n]) for n in ("run", "dev", "bench"))
    assert set(run) <= set(dev) <= set(bench)
    for package, (version, _, _) in dev.items():
        assert bench[package][0] == version, package
        if package in run:
            assert run[package][0] == version, package


def _applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": e}) for e in extras | {""})


def test_the_dev_lock_holds_what_its_packages_need() -> None:
    """Installed with --no-deps, a lock must be closed under dependencies: walk the installed
    (locked) packages' own requirements on this machine's Python and check each is pinned."""
    lock = read_lock(LOCKS["dev"])
    todo = [(Requirement(r.name), frozenset(r.extras)) for r in declared("dev") if _applies(r, frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement, extras = todo.pop()
        key = canonicalize_name(requirement.name)
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        assert key in lock, f"requirements/dev.txt lacks {key}, which the locked packages need"
        for text in metadata.distribution(key).requires or []:
            needed = Requirement(text)
            if _applies(needed, extras):
                todo.append((needed, frozenset(needed.extras)))
    assert len(seen) >= 40


def test_the_npm_lock_pins_package_json_with_integrity_hashes() -> None:
    wanted = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["dependencies"]
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]
    assert lock["lockfileVersion"] >= 2
    assert packages[""]["dependencies"] == wanted
    for name, version in wanted.items():
        assert packages[f"node_modules/{name}"]["version"] == version, name
    for path, entry in packages.items():
        if path and not entry.get("link"):
            assert entry.get("integrity", "").startswith("sha512-"), f"{path} has no sha512 integrity"
            for dependency in entry.get("dependencies", {}):
                nested = f"{path}/node_modules/{dependency}"
                assert nested in packages or f"node_modules/{dependency}" in packages, (path, dependency)


def make_dry_run(*targets: str) -> list[str]:
    """The commands ``make`` would run for ``targets`` from scratch (``-n -B``: nothing runs)."""
    done = subprocess.run(
        ["make", "-n", "-B", *targets], cwd=REPO, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.splitlines()


def test_make_installs_python_packages_only_from_the_hashed_locks() -> None:
    lines = make_dry_run("run", "test", "bench")
    installs = [line for line in lines if "pip install" in line]
    assert any("--require-hashes --no-deps -r requirements/dev.txt" in line for line in installs)
    assert any("--require-hashes --no-deps -r requirements/bench.txt" in line for line in installs)
    for line in installs:
        locked = "--require-hashes --no-deps -r requirements/" in line
        assert locked or line.endswith("--no-deps --no-build-isolation -e ."), line
    assert any("npm ci" in line for line in lines)
    assert not any("npm install" in line for line in lines)
    assert any(".ci/audit.py" in line and "requirements/bench.txt" in line for line in lines)
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_make_lock_refreshes_every_lock() -> None:
    lines = make_dry_run("lock")
    for path in LOCKS.values():
        assert any(
            "uv pip compile" in line and "--generate-hashes" in line and str(path.name) in line
            for line in lines
        )
    assert any("npm update --package-lock-only" in line for line in lines)


# --- the audit ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", REPO / ".ci" / "audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_audit"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_python_finding_fails_and_is_named(audit: ModuleType) -> None:
    report = {
        "dependencies": [
            {"name": "flask", "version": "0.1", "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["2.2.5"]}]},
            {"name": "rdflib", "version": "7.6.0", "vulns": []},
        ]
    }
    result = audit.read_pip_audit(report)
    assert result.state == "audited" and result.packages == 2
    assert result.failing == ["flask 0.1: PYSEC-0000-1 (fixed in 2.2.5)"]
    assert audit.exit_code([result], strict=False) == 1
    assert "FAIL flask 0.1: PYSEC-0000-1" in "\n".join(audit.report_lines(result))


def test_python_packages_nobody_could_look_up_are_not_audited(audit: ModuleType) -> None:
    skip = "Dependency not found on PyPI and could not be audited: flask (3.1.3)"
    result = audit.read_pip_audit({"dependencies": [{"name": "flask", "skip_reason": skip}]})
    assert result.state == "not audited" and "not found on PyPI" in result.problem
    assert audit.exit_code([result], strict=False) == 0
    assert audit.exit_code([result], strict=True) == 1
    assert "NOT AUDITED" in audit.report_lines(result)[0]


def test_npm_findings_fail_only_when_critical(audit: ModuleType) -> None:
    def report(severity: str) -> dict[str, object]:
        via = [{"title": "Prototype pollution", "severity": severity}]
        return {
            "vulnerabilities": {"d3-color": {"severity": severity, "via": via}},
            "metadata": {"dependencies": {"total": 89}},
        }

    high, critical = audit.read_npm_audit(report("high")), audit.read_npm_audit(report("critical"))
    assert high.findings == ["d3-color (high): Prototype pollution"] and not high.failing
    assert audit.exit_code([high], strict=True) == 0
    assert critical.failing and audit.exit_code([critical], strict=False) == 1
    error = audit.read_npm_audit({"message": "405 Method Not Allowed", "error": {"summary": ""}})
    assert error.state == "not audited" and "405" in error.problem


def test_the_ignore_file_lists_ids_with_reasons(audit: ModuleType, tmp_path: Path) -> None:
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("# accepted\nGHSA-aaaa-bbbb-cccc  # not reachable from our code\n\n", encoding="utf-8")
    assert audit.ignored_vulns(ignore) == ["GHSA-aaaa-bbbb-cccc"]
    assert audit.ignored_vulns(REPO / "requirements" / "audit-ignore.txt") == []


@pytest.mark.slow
def test_an_unreachable_advisory_service_is_reported_and_fails_only_when_strict(tmp_path: Path) -> None:
    """The real tools behind a proxy that refuses every connection: both say NOT AUDITED."""
    lock = tmp_path / "one.txt"
    entry = read_lock(LOCKS["run"])["blinker"]
    lock.write_text(entry[2] + "\n", encoding="utf-8")
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": dead, "HTTP_PROXY": dead, "https_proxy": dead, "http_proxy": dead}
    env |= {"npm_config_https_proxy": dead, "npm_config_proxy": dead, "npm_config_fetch_retries": "0"}
    command = [sys.executable, str(REPO / ".ci" / "audit.py"), "--out", str(tmp_path / "out"), str(lock)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("NOT AUDITED") == 2, done.stdout
    summary = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [a["state"] for a in summary] == ["not audited", "not audited"]
    strict = subprocess.run([*command, "--strict"], capture_output=True, text=True, env=env, timeout=300)
    assert strict.returncode == 1
