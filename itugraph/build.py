"""The build: load + validate + infer, cached on disk so later commands start fast.

A cache entry lives in ``Project.cache_dir/<key>/`` (``ROOT/.itugraph/``, or a per-user cache
folder for the installed ITU graph and read-only roots) where the key hashes every input
file, the reasoning engine and its version: any change to an input makes a new key, so
a stale entry is never used. Entries are written to a temporary folder and renamed into
place, so an interrupted build leaves no half-written entry behind.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from itugraph import __version__
from itugraph.cache_checksums import damaged_files, file_checksums, file_sha256
from itugraph.errors import CacheWriteError, InconsistencyError, ValidationFailedError, disk_full
from itugraph.load import Triple, load_triples
from itugraph.project import Project
from itugraph.store import OxigraphStore, write_store

if TYPE_CHECKING:
    from itugraph.reasoning import Closure

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
STORE_DIR = "store"
DERIVATIONS = "derivations"
RULE_DERIVATIONS = "rule-derivations.json"
#: The build's SHACL results (``itugraph.validation.render(report, "json")``), shown on
#: each resource's page; absent when the build did not validate.
VALIDATION = "validation.json"

Progress = Callable[[str], None]
_T = TypeVar("_T")


@dataclass(frozen=True)
class BuildManifest:
    """What a cache entry holds and how it was made; its file marks the entry complete."""

    key: str
    itugraph: str
    engine: str
    asserted_triples: int
    #: Triples the shapes' SHACL rules added (counted in ``inferred_triples`` too).
    derived_triples: int
    inferred_triples: int
    validated: bool
    #: UTC, ``YYYY-MM-DDTHH:MM:SSZ``.
    built_at: str
    #: Seconds per build step (parse, rules, validate, infer, write).
    seconds: dict[str, float] = field(default_factory=dict)
    #: SHA-256 of each file the build wrote (path relative to the entry), checked on reuse;
    #: empty in entries written before issue 18 (then nothing is checked).
    checksums: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> BuildManifest:
        """The manifest in ``path`` (a manifest file, or a cache entry folder).

        Keys this version does not know are ignored and missing counts are 0, so an entry
        written by an older build of the same itugraph version still opens.
        """
        file = path / MANIFEST if path.is_dir() else path
        data = json.loads(file.read_text(encoding="utf-8"))
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("asserted_triples", "derived_triples", "inferred_triples"):
            values.setdefault(name, 0)
        values.setdefault("validated", False)
        values.setdefault("built_at", "")
        return cls(**values)

    def write(self, folder: Path) -> None:
        """Write atomically into ``folder``: the file is the marker that an entry is complete."""
        tmp = folder / f".{MANIFEST}.{os.getpid()}"
        tmp.write_text(json.dumps(dataclasses.asdict(self), indent=2), encoding="utf-8")
        os.replace(tmp, folder / MANIFEST)


@dataclass
class Build:
    """A finished build: where its store and derivations are, and what it measured."""

    project: Project
    key: str
    path: Path
    manifest: BuildManifest
    from_cache: bool = False

    @property
    def version(self) -> str:
        """Short dataset version, for ETags and result-cache keys."""
        return self.key[:16]

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def derivations_path(self) -> Path:
        return self.path / DERIVATIONS

    @property
    def rule_derivations_path(self) -> Path:
        return self.path / RULE_DERIVATIONS

    @property
    def validation_path(self) -> Path:
        return self.path / VALIDATION

    def open_store(self) -> OxigraphStore:
        return OxigraphStore.open_read_only(self.store_path, self.version)


def cache_key(project: Project, engine: str) -> str:
    """The cache key: inputs, the engine's name and version, and itugraph's version."""
    from itugraph.reasoning import ENGINE_VERSION

    return project.fingerprint(f"itugraph={__version__}", f"engine={engine}@{ENGINE_VERSION}")


def cached_build(project: Project, *, engine: str = "native") -> Build | None:
    """The finished cache entry for the current inputs, or None when there is none."""
    key = cache_key(project, engine)
    path = project.cache_dir / key
    manifest_file = path / MANIFEST
    if not manifest_file.is_file():
        return None
    manifest = BuildManifest.read(manifest_file)
    if damaged := damaged_files(path, manifest.checksums):
        log.warning(
            "cache entry %s is damaged (%s: checksum mismatch or missing); building it again",
            path,
            ", ".join(damaged[:3]) + (f" and {len(damaged) - 3} more" if len(damaged) > 3 else ""),
        )
        return None
    return Build(project, key, path, manifest, from_cache=True)


def build(
    project: Project,
    *,
    engine: str = "native",
    validate: bool = True,
    force: bool = False,
    progress: Progress | None = None,
) -> Build:
    """Load, validate and infer ``project``, or reuse the cache entry for the same inputs.

    Raises :class:`ValidationFailedError` on SHACL violations and
    :class:`InconsistencyError` on an OWL 2 RL inconsistency; nothing is written then.
    """
    say = progress or (lambda _msg: None)
    if not force and (hit := cached_build(project, engine=engine)) is not None:
        if validate and (not hit.manifest.validated or not hit.validation_path.is_file()):
            _save_validation(hit.path, _validate(project, say))
            checksums = {**hit.manifest.checksums, **_validation_checksum(hit.path)}
            hit.manifest = dataclasses.replace(hit.manifest, validated=True, checksums=checksums)
            hit.manifest.write(hit.path)
        say(f"using cached build {hit.version} ({hit.path})")
        return hit
    timings: dict[str, float] = {}
    asserted = _timed(timings, "parse", lambda: load_triples(project.asserted_files()))
    say(f"parsed {len(asserted)} asserted triples from {len(project.asserted_files())} files")
    derived = _timed(timings, "rules", lambda: _derive(project, asserted))
    if derived:
        say(f"derived {len(derived)} triples with the shapes' SHACL rules")
    validation = (
        _timed(timings, "validate", lambda: _validate(project, say, asserted, derived)) if validate else None
    )
    closure = _timed(timings, "infer", lambda: _infer([*asserted, *derived], engine))
    say(f"inferred {len(closure.inferred)} triples with the {engine} engine")
    key = cache_key(project, engine)
    manifest = BuildManifest(
        key=key,
        itugraph=__version__,
        engine=engine,
        asserted_triples=len(asserted),
        derived_triples=len(derived),
        inferred_triples=len(closure.inferred) + len(derived),
        validated=validate,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        seconds=dict(timings),  # up to inference; the write step ends after the file
    )
    path = _timed(
        timings, "write", lambda: _write_entry(project, key, asserted, closure, derived, manifest, validation)
    )
    say(f"wrote build {key[:16]} to {path}")
    return Build(project, key, path, BuildManifest.read(path))


def _validate(
    project: Project,
    say: Progress,
    asserted: list[Triple] | None = None,
    derived: dict[Triple, str] | None = None,
) -> str | None:
    """Validate; the report as JSON (None without shapes). Raises on violations."""
    from itugraph.validation import render, validate_project
    from itugraph.validation.engine import Parsed

    if not project.shapes_files():
        say(f"no shapes in {project.shapes_dir}: skipping SHACL validation")
        return None
    parsed = Parsed(asserted, derived or {}) if asserted is not None else None
    report = validate_project(project, parsed=parsed)
    if report.failed(strict=False):
        violations = sum(1 for r in report.results if r.severity == "Violation")
        raise ValidationFailedError(report, f"SHACL validation failed: {violations} violation(s)")
    say("SHACL validation passed")
    return render(report, "json")


def _save_validation(folder: Path, document: str | None) -> None:
    """Write the validation results into a cache entry, atomically (nothing without shapes)."""
    if document is None:
        return
    tmp = folder / f".{VALIDATION}.{os.getpid()}"
    tmp.write_text(document, encoding="utf-8")
    os.replace(tmp, folder / VALIDATION)


def _cache_write_error(cache_dir: Path, exc: OSError) -> CacheWriteError:
    """RocksDB's errors arrive as OSError without an errno: the reason is in the text."""
    full = disk_full(exc)
    reason = "the disk is full" if full else (exc.strerror or str(exc))
    return CacheWriteError(
        f"cannot write the build cache in {cache_dir}: {reason}",
        hint=(
            "free space on that disk, or set ITUGRAPH_CACHE_DIR to a folder on another one"
            if full
            else "make the folder writable, or set ITUGRAPH_CACHE_DIR to one that is"
        ),
    )


def _validation_checksum(folder: Path) -> dict[str, str]:
    """The checksum entry of validation results added to a reused entry (none without shapes)."""
    path = folder / VALIDATION
    return {VALIDATION: file_sha256(path)} if path.is_file() else {}


#: Files of an entry its checksums leave out: the manifest holds them; RocksDB's info log.
_NOT_CHECKED = frozenset({MANIFEST, f"{STORE_DIR}/LOG"})


def _derive(project: Project, asserted: list[Triple]) -> dict[Triple, str]:
    """What the shapes' SHACL rules add to the asserted graph (nothing without shapes)."""
    if not project.shapes_files():
        return {}
    from itugraph.validation import load_shapes
    from itugraph.validation.rules import derive

    return derive(asserted, load_shapes(project.shapes_files()))


def _infer(asserted: list[Triple], engine: str) -> Closure:
    from itugraph.reasoning import infer

    closure = infer(asserted, engine=engine)
    if closure.inconsistencies:
        raise InconsistencyError(closure.inconsistencies)
    return closure


def _write_entry(
    project: Project,
    key: str,
    asserted: list[Triple],
    closure: Closure,
    derived: dict[Triple, str],
    manifest: BuildManifest,
    validation: str | None = None,
) -> Path:
    final = project.cache_dir / key
    tmp = project.cache_dir / f".tmp-{key[:16]}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        write_store(tmp / STORE_DIR, asserted, [*derived, *closure.inferred])
        if closure.derivations is not None:
            closure.derivations.save(tmp / DERIVATIONS)
        save_rule_derivations(tmp / RULE_DERIVATIONS, derived)
        _save_validation(tmp, validation)
        dataclasses.replace(manifest, checksums=file_checksums(tmp, skip=_NOT_CHECKED)).write(tmp)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except OSError as exc:
        raise _cache_write_error(project.cache_dir, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(project.cache_dir, keep=final)
    _ensure_gitignore(project.cache_dir)
    return final


def save_rule_derivations(path: Path, derived: dict[Triple, str]) -> None:
    """Which SHACL rule derived each triple: ``[[s, p, o, rule], …]`` in N-Triples term syntax."""
    rows = sorted([str(s), str(p), str(o), rule] for (s, p, o), rule in derived.items())
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def load_rule_derivations(path: Path) -> dict[tuple[str, str, str], str]:
    """The map :func:`save_rule_derivations` wrote (empty for builds made before rules)."""
    if not path.is_file():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {(s, p, o): rule for s, p, o, rule in rows}


#: The folder beside the build entries where a front end over a store keeps what it derives
#: from each publication (``itugraph.web.generation``): not a build, never pruned as one.
PUBLICATIONS = "publications"


def _prune(cache_dir: Path, *, keep: Path) -> None:
    """Remove older entries and what dead builds left: only the current build is used again."""
    for entry in cache_dir.iterdir():
        if not entry.is_dir() or entry == keep or entry.name == PUBLICATIONS:
            continue
        if not entry.name.startswith(".tmp-") or not pid_alive(entry.name.rsplit("-", 1)[-1]):
            shutil.rmtree(entry, ignore_errors=True)


def pid_alive(text: str) -> bool:
    """Whether the process ``text`` (a pid) still runs: a build or an export that owns a temporary
    folder or file (it is then kept)."""
    try:
        os.kill(int(text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _ensure_gitignore(cache_dir: Path) -> None:
    ignore = cache_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


def _timed(timings: dict[str, float], name: str, step: Callable[[], _T]) -> _T:
    start = time.perf_counter()
    try:
        return step()
    finally:
        timings[name] = round(time.perf_counter() - start, 3)
