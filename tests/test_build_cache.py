"""The build cache: keyed by inputs and engine, complete-or-absent, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

from itugraph.build import MANIFEST, build, cache_key, cached_build
from itugraph.project import Project


def test_entry_without_manifest_is_never_used(tiny_root: Path) -> None:
    project = Project.at(tiny_root)
    half = project.cache_dir / cache_key(project, "native")
    (half / "store").mkdir(parents=True)  # what an interrupted build could leave
    assert cached_build(project) is None
    built = build(project)
    assert (built.path / MANIFEST).is_file() and not built.from_cache
    assert built.open_store().query("ASK { ?s ?p ?o }").boolean is True


def test_leftover_temporary_folder_does_not_break_the_next_build(tiny_root: Path) -> None:
    project = Project.at(tiny_root)
    leftover = project.cache_dir / ".tmp-0123456789abcdef-999999"
    leftover.mkdir(parents=True)
    (leftover / "junk").write_text("half written", encoding="utf-8")
    built = build(project)
    assert built.path.name == cache_key(project, "native")
    assert [p.name for p in project.cache_dir.iterdir() if p.is_dir()] == [built.path.name]


def test_engine_is_part_of_the_key(tiny_root: Path) -> None:
    project = Project.at(tiny_root)
    assert cache_key(project, "native") != cache_key(project, "owlrl")


def test_key_changes_with_any_input_including_shapes(tiny_root: Path) -> None:
    project = Project.at(tiny_root)
    before = cache_key(project, "native")
    shapes = tiny_root / "shapes" / "shapes.ttl"
    shapes.write_text(shapes.read_text() + "\n# edited\n", encoding="utf-8")
    assert cache_key(project, "native") != before


def test_cached_unvalidated_build_is_validated_before_it_is_trusted(tiny_root: Path) -> None:
    project = Project.at(tiny_root)
    first = build(project, validate=False)
    assert first.manifest.validated is False
    second = build(project)
    assert second.from_cache and second.manifest.validated is True
    shutil.rmtree(project.cache_dir)


def test_the_manifest_is_a_typed_record_that_reads_older_entries(tmp_path: Path) -> None:
    """An entry written before a field existed still opens; unknown keys are ignored."""
    from itugraph.build import BuildManifest

    (tmp_path / "manifest.json").write_text(
        '{"key": "k", "itugraph": "0.1.0", "engine": "native", "asserted_triples": 3, '
        '"inferred_triples": 1, "validated": true, "built_at": "2026-01-01T00:00:00Z", '
        '"a_future_key": 1}',
        encoding="utf-8",
    )
    manifest = BuildManifest.read(tmp_path)
    assert (manifest.asserted_triples, manifest.derived_triples, manifest.seconds) == (3, 0, {})
    manifest.write(tmp_path)
    assert BuildManifest.read(tmp_path / "manifest.json") == manifest
