"""A normal install (a wheel, not ``pip install -e``) carries the ITU graph and never writes into it.

The wheel is built offline from a copy of the repository's build inputs (``--no-build-isolation``
with the venv's setuptools and wheel), installed with ``--target`` and run through
``python -m itugraph`` with only that folder on ``PYTHONPATH``, from an empty working folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from itugraph.project import CACHE_DIR_ENV, EMBEDDED_ROOT, INSTALLED_ROOT, Project
from tests.helpers import REPO, copy_fixture

#: What the wheel is built from (``[tool.setuptools]`` in pyproject.toml).
DATA_FOLDERS = ("ontology", "graph", "shapes", "queries")
BUILD_INPUTS = ("pyproject.toml", "README.md", "MANIFEST.in", "itugraph", *DATA_FOLDERS)


def _files(folder: Path) -> set[str]:
    """Files under ``folder`` as a wheel would hold them: no byte code, no hidden files."""
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix != ".pyc"
        and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(folder).parts)
    }


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")
    }


@pytest.fixture(scope="module")
def src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the build inputs: a build writes build/ and *.egg-info/ where it runs."""
    src = tmp_path_factory.mktemp("src")
    for name in BUILD_INPUTS:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.is_file():
            shutil.copy2(path, src / name)
    return src


@pytest.fixture(scope="module")
def wheel(src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline as `pip install .` would build it."""
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-w",
            str(dist),
            ".",
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PIP_NO_CACHE_DIR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("itugraph-*.whl")
    return built


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a plain folder (its dependencies come from this venv)."""
    target = tmp_path_factory.mktemp("install") / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--no-compile",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


@pytest.fixture
def installed_env(site: Path, tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """Environment running the installed package (not the checkout), and its cache folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ITUGRAPH_")}
    env.update(
        PYTHONPATH=str(site),
        PYTHONDONTWRITEBYTECODE="1",
        XDG_CACHE_HOME=str(tmp_path / "xdg"),
        HOME=str(tmp_path / "home"),
    )
    (tmp_path / "cwd").mkdir()
    yield env, tmp_path / "xdg" / "itugraph"


def _run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_wheel_holds_the_package_and_the_itu_graph(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
    missing = {f"itugraph/{f}" for f in _files(REPO / "itugraph")} - names
    for folder in DATA_FOLDERS:
        missing |= {f"itugraph/_embedded/{folder}/{f}" for f in _files(REPO / folder)} - names
    assert not missing, f"not in the wheel (see [tool.setuptools] in pyproject.toml): {sorted(missing)}"


def test_installed_package_validates_and_queries_the_embedded_graph(
    site: Path, installed_env: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, cache = installed_env
    cwd = tmp_path / "cwd"
    where = _run(env, cwd, "-c", "import itugraph.project as p; print(p.__file__); print(p.EMBEDDED_ROOT)")
    assert where.returncode == 0, where.stderr
    module, root = map(Path, where.stdout.split())
    assert module.is_relative_to(site.resolve()), module  # the install, not the checkout
    assert root == (site / "itugraph" / "_embedded").resolve()
    before = _snapshot(site)

    validate = _run(env, cwd, "-m", "itugraph", "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "0 violations" in validate.stdout
    query = _run(env, cwd, "-m", "itugraph", "query", "01-itu-action-line-roles", "-f", "csv")
    assert query.returncode == 0, query.stdout + query.stderr
    assert (
        "wsis-action-line/C2,C2,Information and communication infrastructure,lead facilitator" in query.stdout
    )

    for mode in (["--check"], []):  # fmt refuses installed data, with a hint, writing nothing
        fmt = _run(env, cwd, "-m", "itugraph", "fmt", *mode)
        assert fmt.returncode == 2, fmt.stdout + fmt.stderr
        assert "installed with the package" in fmt.stderr and "--root" in fmt.stderr

    assert _snapshot(site) == before  # nothing written into the installed package or its data
    assert not list(cwd.iterdir())
    manifests = list(cache.glob("*/*/manifest.json"))
    assert len(manifests) == 1, sorted(cache.rglob("*"))
    assert manifests[0].parent.parent.name.startswith("itugraph-")


def test_sdist_holds_the_itu_graph_at_the_top(src: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))",
            str(tmp_path),
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with tarfile.open(tmp_path / result.stdout.split()[-1]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for folder in DATA_FOLDERS:
        missing = {f"{folder}/{f}" for f in _files(REPO / folder)} - names
        assert not missing, sorted(missing)


def test_checkout_is_the_embedded_root_and_keeps_its_cache() -> None:
    assert EMBEDDED_ROOT == REPO  # editable install / development: unchanged behaviour
    assert INSTALLED_ROOT.is_relative_to(REPO / "itugraph")


def test_cache_goes_to_the_user_cache_for_read_only_and_installed_roots(
    tiny_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = Project.at(tiny_root)
    assert project.cache_dir == tiny_root / ".itugraph"

    other = copy_fixture("tiny", tmp_path / "other")
    with monkeypatch.context() as patch:
        patch.setattr(os, "access", lambda *_args, **_kwargs: False)  # as root, chmod is no test
        read_only = [Project.at(tiny_root).cache_dir, Project.at(other).cache_dir]
    assert all(d.parent == tmp_path / "xdg" / "itugraph" for d in read_only)
    assert read_only[0] != read_only[1]  # each root its own folder: builds prune theirs

    installed = Project(INSTALLED_ROOT, *(INSTALLED_ROOT / f for f in DATA_FOLDERS))
    assert not installed.writable()
    assert not installed.cache_dir.is_relative_to(INSTALLED_ROOT)

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "override"))
    assert Project.at(tiny_root).cache_dir.parent == tmp_path / "override"
