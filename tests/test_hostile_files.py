"""A corpus of broken and hostile input files, each run through the real CLI.

``tests/hostile/manifest.tsv`` lists every file with the outcome it must have: the exit code,
where the error points (``line:column``, or ``-`` for a whole-file error) and a phrase of
the message. Small text files are committed under ``tests/hostile/files/``; binary, wrongly
encoded and big ones are made at test time (``tests/hostile/generated.py``).

For each file, ``validate``, ``export`` and ``query`` run as a user runs them, on a copy of
the tiny project with a finished build in its cache. A refused file must give exit 2, an
error naming the file (and position), write nothing (no export file, no output) and leave
the cache exactly as it was. Nothing may be fetched: a local listener stands in for every
URL the files name and must see no connection, and the secret file the XXE files point to
must never show up in any output.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import Listener, copy_fixture, run_cli, run_main
from tests.hostile.generated import MAKERS

pytestmark = pytest.mark.slow  # 56 files x 3 CLI runs

HOSTILE = Path(__file__).resolve().parent / "hostile"
CANARY = "itugraph-secret-canary-7f3a"


@dataclass(frozen=True)
class Case:
    """One manifest row."""

    file: str
    exit_code: int
    at: str | None
    phrase: str


def _manifest() -> list[Case]:
    cases = []
    for line in (HOSTILE / "manifest.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        file, code, at, phrase = line.split("\t")
        cases.append(Case(file, int(code), None if at == "-" else at, phrase))
    return cases


CASES = _manifest()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(CANARY + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project with a finished build in ``.itugraph/`` (copied for each case)."""
    root = copy_fixture("tiny", tmp_path_factory.mktemp("template"))
    done = run_cli("--root", root, "build", timeout=120)
    assert done.returncode == 0, done.stderr
    return root


def _materialise(case: Case, folder: Path, listener: Listener, secret: Path) -> Path:
    target = folder / case.file
    if case.file in MAKERS:
        MAKERS[case.file](target)
    else:
        text = (HOSTILE / "files" / case.file).read_text(encoding="utf-8")
        target.write_text(text.replace("@LISTENER@", listener.url).replace("@SECRET@", str(secret)), "utf-8")
    return target


def _listing(folder: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")
    )


def test_the_corpus_has_forty_files_each_committed_or_made() -> None:
    assert len(CASES) >= 40
    committed = {p.name for p in (HOSTILE / "files").iterdir()}
    for case in CASES:
        assert (case.file in committed) != (case.file in MAKERS), case.file
    assert committed | set(MAKERS) == {case.file for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_hostile_file(case: Case, built_tiny: Path, listener: Listener, secret: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(built_tiny, root)
    hostile = _materialise(case, root / "graph", listener, secret)
    before = _listing(root / ".itugraph")
    out = tmp_path / "export.nt"
    runs = [
        run_cli("--root", root, "validate", timeout=60),
        run_cli("--root", root, "export", "-f", "nt", "-o", out, timeout=60),
        run_cli("--root", root, "query", "SELECT ?s WHERE { ?s ?p ?o }", timeout=60),
    ]
    for run in runs:
        assert CANARY not in run.stdout + run.stderr
        assert "Traceback" not in run.stderr and "panicked" not in run.stderr
        assert run.returncode == case.exit_code, run.stderr
    assert listener.connections == 0
    if case.exit_code == 0:
        assert case.phrase in runs[2].stdout
        assert CANARY not in out.read_text(encoding="utf-8")
        return
    for run in runs:
        where = f"{hostile}:{case.at}:" if case.at else f"{hostile}:"
        assert run.stderr.startswith(f"error: {where}"), run.stderr
        assert case.phrase in run.stderr
        assert run.stdout == ""
    assert not out.exists()
    assert _listing(root / ".itugraph") == before


TURTLE_CASES = [case for case in CASES if case.file.endswith(".ttl")]


@pytest.mark.parametrize("case", TURTLE_CASES, ids=[case.file for case in TURTLE_CASES])
def test_fmt_refuses_what_the_loader_refuses(
    case: Case, listener: Listener, secret: Path, tmp_path: Path
) -> None:
    """``itugraph fmt`` (rdflib) reads a file only once the loader accepts it: the same exit
    code and position, and a UTF-8 byte order mark is simply dropped."""
    root = copy_fixture("tiny", tmp_path)
    (root / "graph" / "units.ttl").unlink()
    hostile = _materialise(case, root / "graph", listener, secret)
    before = hostile.read_bytes()
    done = run_main("--root", root, "fmt", "--check")
    if case.exit_code == 0:
        assert done.returncode in {0, 1}, done.stderr  # 1: not in canonical form yet
        assert run_main("--root", root, "fmt").returncode == 0
        assert not hostile.read_bytes().startswith(b"\xef\xbb\xbf")
        return
    assert done.returncode == 2
    where = f"{hostile}:{case.at}:" if case.at else f"{hostile}:"
    assert done.stderr.startswith(f"error: {where}") and case.phrase in done.stderr
    assert hostile.read_bytes() == before
