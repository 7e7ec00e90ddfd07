"""``itugraph release``: a versioned set in dist/<VERSION>/ with a changelog against the
previous release; refusals are exit 2 with a clear message."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.helpers import Cli

UNITS = "graph/units.ttl"


def _edit(root: Path) -> None:
    """A known change: one label changed, goal-1 removed, goal-2 added (target-1 moves)."""
    path = root / UNITS
    text = path.read_text(encoding="utf-8")
    text = text.replace('"A sector"@en', '"The sector"@en')
    text = text.replace(
        'id:goal-1 a ex:Goal ;\n    rdfs:label "Goal 1"@en .',
        'id:goal-2 a ex:Goal ;\n    rdfs:label "Goal 2"@en .',
    )
    text = text.replace("ex:broader id:goal-1", "ex:broader id:goal-2")
    path.write_text(text, encoding="utf-8")


def test_two_releases_and_their_changelog(tiny_root: Path, tmp_path: Path, cli: Cli) -> None:
    dist = tmp_path / "dist"
    first = cli("--root", tiny_root, "release", "1.0.0", "--out", dist)
    assert first.returncode == 0, first.stderr
    one = dist / "1.0.0"
    assert {p.name for p in one.iterdir()} >= {
        "union.nq.gz",
        "asserted.ttl.gz",
        "SHA256SUMS",
        "void.ttl",
        "context.jsonld",
        "CHANGELOG.md",
        "changelog.json",
        "ontology",
        "shapes",
    }
    assert (one / "ontology" / "tiny.ttl").is_file() and (one / "shapes" / "shapes.ttl").is_file()
    assert json.loads((one / "changelog.json").read_text())["previous"] is None
    _edit(tiny_root)
    second = cli("--root", tiny_root, "release", "1.1.0", "--out", dist)
    assert second.returncode == 0, second.stderr
    log = json.loads((dist / "1.1.0" / "changelog.json").read_text())
    ex, label = "http://example.org/id/", "<http://www.w3.org/2000/01/rdf-schema#label>"
    broader = "<http://example.org/tiny#broader>"
    assert log == {
        "version": "1.1.0",
        "previous": "1.0.0",
        "graph": "asserted",
        "summary": {"added": 1, "removed": 1, "changed": 2},
        "added": [{"resource": ex + "goal-2", "triples": 2}],
        "removed": [{"resource": ex + "goal-1", "triples": 2}],
        "changed": [
            {
                "resource": ex + "sector",
                "added": [f'<{ex}sector> {label} "The sector"@en .'],
                "removed": [f'<{ex}sector> {label} "A sector"@en .'],
            },
            {
                "resource": ex + "target-1",
                "added": [f"<{ex}target-1> {broader} <{ex}goal-2> ."],
                "removed": [f"<{ex}target-1> {broader} <{ex}goal-1> ."],
            },
        ],
    }
    markdown = (dist / "1.1.0" / "CHANGELOG.md").read_text()
    assert "1 resource added, 1 removed, 2 changed" in markdown
    assert f'+ <{ex}sector> {label} "The sector"@en .' in markdown


def test_checksums_cover_every_file_and_the_void_links_are_relative(
    tiny_root: Path, tmp_path: Path, cli: Cli
) -> None:
    assert cli("--root", tiny_root, "release", "2.0.0", "--out", tmp_path).returncode == 0
    folder = tmp_path / "2.0.0"
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(sums) == files - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    void = (folder / "void.ttl").read_text()
    assert "<union.nt.gz>" in void and 'dcat:version "2.0.0"' in void


def test_refusals(tiny_root: Path, tmp_path: Path, cli: Cli) -> None:
    dist = tmp_path / "dist"
    assert cli("--root", tiny_root, "release", "1.0.0", "--out", dist).returncode == 0
    again = cli("--root", tiny_root, "release", "1.0.0", "--out", dist)
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = cli("--root", tiny_root, "release", "v1", "--out", dist)
    assert bad.returncode == 2 and "bad release version 'v1'" in bad.stderr
    older = cli("--root", tiny_root, "release", "0.9.0", "--out", dist)
    assert older.returncode == 2 and "not newer than 1.0.0" in older.stderr
    nowhere = cli("--root", tiny_root, "release", "1.2.0", "--out", dist, "--previous", dist / "nope")
    assert nowhere.returncode == 2 and "not a release folder" in nowhere.stderr
    assert sorted(p.name for p in dist.iterdir()) == ["1.0.0"]  # nothing half-written
