"""SIGKILL at random moments (seeded): the cache and the outputs are never corrupt or half-written.

``itugraph build`` writes a cache entry into a temporary folder and renames it into place;
``export -o`` and ``release`` write a temporary file or folder and rename it. Killed at any
moment (no ``finally``, no ``atexit``), a run leaves either nothing or a complete result,
and the next run succeeds and gives the same answer as a run never interrupted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.helpers import copy_fixture, fill_disk, full_disk, run_cli

pytestmark = pytest.mark.slow  # a dozen killed runs and their recoveries

SEED = 18
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
KILLS = 4


def _killed_run(args: list[str | Path], delay: float) -> bool:
    """Run ``itugraph ARGS`` and SIGKILL its process group after ``delay`` s; whether it was killed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "itugraph", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


@pytest.fixture
def big_tiny(tmp_path: Path) -> Path:
    """The tiny project with 40,000 more triples, so that a build or an export takes a while."""
    root = copy_fixture("tiny", tmp_path)
    node, label, broader = "http://example.org/id/n", RDFS_LABEL, "http://example.org/tiny#broader"
    lines = [
        f'<{node}{i}> <{label}> "node {i}"@en .\n<{node}{i}> <{broader}> <{node}{i // 2}> .\n'
        for i in range(20_000)
    ]
    (root / "graph" / "many.nt").write_text("".join(lines), encoding="utf-8")
    return root


def _assert_cache_sound(cache: Path) -> None:
    """Every entry the next run could use is complete: a manifest, and a store that opens."""
    if not cache.is_dir():
        return
    for entry in cache.iterdir():
        if entry.is_dir() and not entry.name.startswith("."):
            assert (entry / "manifest.json").is_file(), f"incomplete entry {entry.name}"
            ox.Store.read_only(str(entry / "store"))


def test_a_build_killed_at_any_moment_leaves_a_sound_cache(big_tiny: Path) -> None:
    timing = random.Random(SEED)
    for _ in range(KILLS):
        _killed_run(["--root", big_tiny, "build"], timing.uniform(0.3, 4.0))
        _assert_cache_sound(big_tiny / ".itugraph")
        for entry in (big_tiny / ".itugraph").glob("*"):  # the next build starts from scratch
            if entry.is_dir() and not entry.name.startswith("."):
                subprocess.run(["rm", "-rf", str(entry)], check=True)
    done = run_cli("--root", big_tiny, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].strip() == str(40_049)  # 40,041 asserted + 8 inferred
    leftovers = [p.name for p in (big_tiny / ".itugraph").iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []  # the finished build removed what the killed ones left


def test_an_export_killed_at_any_moment_is_absent_or_whole(big_tiny: Path, tmp_path: Path) -> None:
    assert run_cli("--root", big_tiny, "build").returncode == 0
    reference = tmp_path / "reference.nt"
    assert run_cli("--root", big_tiny, "export", "-f", "nt", "-o", reference).returncode == 0
    out = tmp_path / "out" / "export.nt"
    timing = random.Random(SEED)
    for _ in range(KILLS):
        out.unlink(missing_ok=True)
        killed = _killed_run(["--root", big_tiny, "export", "-f", "nt", "-o", out], timing.uniform(0.2, 2.0))
        assert not out.exists() or out.read_bytes() == reference.read_bytes(), "a half-written export"
        assert killed or out.exists()
    assert run_cli("--root", big_tiny, "export", "-f", "nt", "-o", out).returncode == 0
    assert out.read_bytes() == reference.read_bytes()
    assert [p.name for p in out.parent.iterdir()] == ["export.nt"]  # stale temporary files removed


def test_a_release_killed_at_any_moment_is_absent_or_whole(big_tiny: Path, tmp_path: Path) -> None:
    assert run_cli("--root", big_tiny, "build").returncode == 0
    dist = tmp_path / "dist"
    timing = random.Random(SEED)
    for _ in range(KILLS):
        _killed_run(["--root", big_tiny, "release", "1.0.0", "--out", dist], timing.uniform(0.3, 4.0))
        release = dist / "1.0.0"
        if release.exists():
            sums = (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
            assert sums and all((release / line.split()[-1]).is_file() for line in sums)
            break
    done = run_cli("--root", big_tiny, "release", "1.0.0", "--out", dist)
    assert done.returncode == 0 or "already exists" in done.stderr, done.stderr
    assert (dist / "1.0.0" / "SHA256SUMS").is_file()
    assert [p.name for p in dist.iterdir()] == ["1.0.0"]  # what the killed runs left is removed


def test_a_release_removes_what_killed_releases_left(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path / "project")
    dist = tmp_path / "dist"
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    left = dist / f".1.0.0.tmp-{finished.pid}"  # a process gone: a killed release's folder
    running = dist / f".2.0.0.tmp-{os.getpid()}"  # a release still running: kept
    for folder in (left, running):
        (folder / "ontology").mkdir(parents=True)
        (folder / "asserted.nt.gz").write_bytes(b"half")
    done = run_cli("--root", root, "release", "1.0.0", "--out", dist)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in dist.iterdir()) == sorted(["1.0.0", running.name])


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _entry(root: Path) -> Path:
    (entry,) = (p for p in (root / ".itugraph").iterdir() if p.is_dir() and not p.name.startswith("."))
    return entry


@pytest.mark.parametrize(
    "damaged", ["store/*.sst", "store/MANIFEST-*", "derivations", "rule-derivations.json", "validation.json"]
)
def test_a_flipped_byte_in_the_cache_is_detected_and_the_build_redone(tmp_path: Path, damaged: str) -> None:
    root = copy_fixture("tiny", tmp_path)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert run_cli("--root", root, "build").returncode == 0
    target = max(_entry(root).glob(damaged), key=lambda p: p.stat().st_size)  # the largest of its kind
    _flip_one_byte(target)
    done = run_cli("--root", root, "query", count, "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert "damaged" in done.stderr and target.relative_to(_entry(root)).as_posix() in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines()[1].strip() == "49"  # 41 asserted + 8 inferred: rebuilt whole
    again = run_cli("--root", root, "validate")
    assert again.returncode == 0, again.stderr
    assert "damaged" not in again.stderr  # the new entry is sound


def test_a_build_on_a_full_disk_fails_clearly_and_leaves_no_half_entry(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    with full_disk(root / ".itugraph") as cache:
        fill_disk(cache)
        done = run_cli("--root", root, "build")
        assert done.returncode == 5, done.stderr  # CacheWriteError
        assert "cannot write the build cache" in done.stderr and "the disk is full" in done.stderr
        assert "Traceback" not in done.stderr
        assert [p.name for p in cache.iterdir()] == ["filler"]  # no half-written entry
        (cache / "filler").unlink()
        again = run_cli("--root", root, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "csv")
        assert again.returncode == 0, again.stderr
        assert again.stdout.splitlines()[1].strip() == "49"


def _sources(root: Path) -> dict[str, bytes]:
    """Every file of a project but its build cache: what no failed output may touch."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".itugraph" not in p.relative_to(root).parts
    }


def test_an_export_to_a_full_disk_fails_clearly_and_leaves_the_old_file(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path / "project")
    assert run_cli("--root", root, "build").returncode == 0
    sources = _sources(root)
    with full_disk(tmp_path / "out") as out:
        earlier = out / "graph.nt"
        assert run_cli("--root", root, "export", "-f", "nt", "-o", earlier).returncode == 0
        before = earlier.read_bytes()
        fill_disk(out)
        for target in (earlier, out / "new.ttl"):  # over an earlier export, and a new file
            done = run_cli("--root", root, "export", "--inferred", "-f", "ttl", "-o", target)
            assert done.returncode == 5, done.stderr  # OutputWriteError
            assert f"cannot write {target}: the disk is full" in done.stderr
            assert "Traceback" not in done.stderr and "format that can hold" not in done.stderr
        assert earlier.read_bytes() == before  # not half-overwritten
        assert sorted(p.name for p in out.iterdir()) == ["filler", "graph.nt"]  # no temporary file
    assert _sources(root) == sources
    again = run_cli("--root", root, "export", "-f", "nt", "-o", tmp_path / "elsewhere.nt")
    assert again.returncode == 0 and (tmp_path / "elsewhere.nt").read_bytes() == before


def test_a_release_to_a_full_disk_fails_clearly_and_leaves_earlier_releases(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path / "project")
    with full_disk(tmp_path / "dist", size="4m") as dist:
        first = run_cli("--root", root, "release", "1.0.0", "--out", dist)
        assert first.returncode == 0, first.stderr
        sums = (dist / "1.0.0" / "SHA256SUMS").read_text(encoding="utf-8")
        released = {p: p.read_bytes() for p in (dist / "1.0.0").rglob("*") if p.is_file()}
        sources = _sources(root)
        fill_disk(dist)
        done = run_cli("--root", root, "release", "1.1.0", "--out", dist)
        assert done.returncode == 5, done.stderr
        assert f"cannot write {dist / '1.1.0'}: the disk is full" in done.stderr
        assert "Traceback" not in done.stderr
        assert sorted(p.name for p in dist.iterdir()) == ["1.0.0", "filler"]  # no 1.1.0, no temporary
        assert {p: p.read_bytes() for p in (dist / "1.0.0").rglob("*") if p.is_file()} == released
        assert (dist / "1.0.0" / "SHA256SUMS").read_text(encoding="utf-8") == sums
        assert _sources(root) == sources
        (dist / "filler").unlink()
        again = run_cli("--root", root, "release", "1.1.0", "--out", dist)
        assert again.returncode == 0, again.stderr
        assert (dist / "1.1.0" / "SHA256SUMS").is_file()
