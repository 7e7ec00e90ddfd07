"""Releases: a versioned, self-contained set of files in ``dist/<VERSION>/``.

A release holds the dumps of the build (the same bytes the server offers: dumps are
deterministic), ``context.jsonld``, ``void.ttl`` (VoID + DCAT, its dump links relative to
the release folder), the ontology and shapes files as written, a changelog against the
previous release (``CHANGELOG.md`` and ``changelog.json``) and ``SHA256SUMS`` of every
file. It is written into a temporary folder and renamed into place; an existing version
is never overwritten.

The changelog compares the **asserted** graphs (what was written; the inferred graph
follows from it): a resource is an IRI subject with its blank-node descriptions (claims)
nested in it; it is added, removed, or changed, with the triples added and removed.

>>> semver("1.2.3"), semver("1.2.3-rc.1") < semver("1.2.3"), semver("1.10.0") > semver("1.9.9")
((1, 2, 3, 1, ()), True, True)
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.build import build, pid_alive
from itugraph.errors import InputError, OutputWriteError
from itugraph.linkeddata.dumps import (
    CONTEXT,
    SUMS,
    VOID_FILE,
    dump_files,
    read_gzip_lines,
    sha256_file,
    split_line,
)
from itugraph.linkeddata.urls import PUBLIC_BASE
from itugraph.linkeddata.void import DUMPS_DIR, dumps_for, facts_for, void_bytes
from itugraph.project import Project

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")
#: The dump a changelog compares.
COMPARED = "asserted.nt.gz"
#: A placeholder base: the release's own IRIs are written relative to its folder.
_RELEASE_BASE = "file:///itugraph-release/"


def semver(text: str) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
    """A sort key for a SemVer 2.0 version (a pre-release sorts before its release)."""
    match = _SEMVER.match(text)
    if match is None:
        raise InputError(
            f"bad release version {text!r}", hint="use a SemVer version such as 1.0.0 or 1.1.0-rc.1"
        )
    major, minor, patch, pre = match.groups()
    parts = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")) if pre else ()
    return int(major), int(minor), int(patch), 0 if pre else 1, parts


def previous_release(out: Path, version: str) -> Path | None:
    """The highest release in ``out`` (a folder holding a release's asserted dump)."""
    found = []
    for entry in out.iterdir() if out.is_dir() else []:
        if entry.is_dir() and _SEMVER.match(entry.name) and (entry / COMPARED).is_file():
            found.append((semver(entry.name), entry))
    if not found:
        return None
    key, highest = max(found)
    if key >= semver(version):
        raise InputError(
            f"release {version} is not newer than {highest.name} in {out}",
            hint=f"choose a version above {highest.name}, or pass --previous DIR",
        )
    return highest


# --- changelog -----------------------------------------------------------------------------


def descriptions(lines: list[bytes]) -> dict[str, set[bytes]]:
    """N-Triples lines grouped by resource: an IRI subject and the blank nodes it nests
    (a blank node belongs to the first subject, in sorted order, that points to it)."""
    parents: dict[bytes, bytes] = {}
    by_subject: dict[bytes, list[bytes]] = defaultdict(list)
    for line in lines:
        subject, _, obj = split_line(line)
        by_subject[subject].append(line)
        if obj.startswith(b"_:") and obj != subject:
            parents.setdefault(obj, subject)
    out: dict[str, set[bytes]] = defaultdict(set)
    for subject, group in by_subject.items():
        owner, seen = subject, set()
        while owner.startswith(b"_:") and owner in parents and owner not in seen:
            seen.add(owner)
            owner = parents[owner]
        out[owner.decode().strip("<>")].update(group)
    return dict(out)


@dataclass
class Changelog:
    version: str
    previous: str | None
    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    #: resource -> (triples added, triples removed), N-Triples lines.
    changed: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "previous": self.previous,
            "graph": "asserted",
            "summary": {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)},
            "added": [{"resource": r, "triples": n} for r, n in sorted(self.added.items())],
            "removed": [{"resource": r, "triples": n} for r, n in sorted(self.removed.items())],
            "changed": [
                {"resource": r, "added": a, "removed": d} for r, (a, d) in sorted(self.changed.items())
            ],
        }

    def to_markdown(self) -> str:
        head = [f"# Release {self.version}", ""]
        if self.previous is None:
            return "\n".join([*head, f"First release: {_count(len(self.added))} (asserted graph).", ""])
        lines = [
            *head,
            f"Compared with {self.previous} (asserted graph): "
            f"{_count(len(self.added))} added, {len(self.removed)} removed, "
            f"{len(self.changed)} changed.",
            "",
        ]
        for title, items in (("Added", self.added), ("Removed", self.removed)):
            if items:
                lines += [f"## {title}", ""]
                lines += [f"- <{r}> ({n} triples)" for r, n in sorted(items.items())]
                lines.append("")
        if self.changed:
            lines += ["## Changed", ""]
            for resource, (added, removed) in sorted(self.changed.items()):
                lines += [f"### <{resource}>", "", "```diff"]
                lines += [f"- {t}" for t in removed] + [f"+ {t}" for t in added]
                lines += ["```", ""]
        return "\n".join(lines)


def _count(n: int) -> str:
    return f"{n} resource{'' if n == 1 else 's'}"


def changelog(version: str, previous: str | None, old: list[bytes], new: list[bytes]) -> Changelog:
    """What changed from ``old`` to ``new`` (sorted canonical N-Triples lines)."""
    before, after = descriptions(old), descriptions(new)
    log = Changelog(version, previous)
    for resource, triples in after.items():
        if resource not in before:
            log.added[resource] = len(triples)
        elif triples != before[resource]:
            log.changed[resource] = (
                sorted(t.decode().rstrip("\n") for t in triples - before[resource]),
                sorted(t.decode().rstrip("\n") for t in before[resource] - triples),
            )
    for resource, triples in before.items():
        if resource not in after:
            log.removed[resource] = len(triples)
    return log


# --- the release ---------------------------------------------------------------------------


def _remove_stale(out: Path) -> None:
    """Delete what releases killed mid-write (SIGKILL: no ``finally``) left in ``out``:
    ``.VERSION.tmp-PID`` folders whose process is gone. A release itself is never half-written."""
    for stale in out.glob(".*.tmp-*") if out.is_dir() else []:
        if stale.is_dir() and not pid_alive(stale.name.rsplit("-", 1)[-1]):
            shutil.rmtree(stale, ignore_errors=True)


def release(
    project: Project,
    version: str,
    out: Path,
    *,
    previous: Path | None = None,
) -> Path:
    """Write release ``version`` of ``project`` into ``out/version``; returns the folder."""
    semver(version)
    _remove_stale(out)
    target = out / version
    if target.exists():
        raise InputError(
            f"release {version} already exists in {target}",
            hint="releases are never overwritten: choose a new version",
        )
    if previous is not None:
        if not (previous / COMPARED).is_file():
            raise InputError(
                f"{previous} is not a release folder (no {COMPARED})",
                hint="pass the folder of an earlier release, e.g. dist/1.0.0",
            )
    else:
        previous = previous_release(out, version)
    built = build(project)
    cache = built.path / DUMPS_DIR
    dumps_for(built).write_all()
    tmp = out / f".{version}.tmp-{os.getpid()}"
    try:
        out.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name in [d.name for d in dump_files()] + [CONTEXT]:
            shutil.copyfile(cache / name, tmp / name)
        facts = dataclasses.replace(facts_for(built, cache), release=version)
        sizes = {d.name: ((tmp / d.name).stat().st_size, sha256_file(tmp / d.name)) for d in dump_files()}
        (tmp / VOID_FILE).write_bytes(
            void_bytes(
                facts,
                ox.RdfFormat.TURTLE,
                server=PUBLIC_BASE,
                dumps=_RELEASE_BASE,
                sizes=sizes,
                base_iri=_RELEASE_BASE,
            )
        )
        for folder, files in (("ontology", project.ontology_files()), ("shapes", project.shapes_files())):
            base = project.ontology_dir if folder == "ontology" else project.shapes_dir
            for file in files:
                dest = tmp / folder / file.relative_to(base)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, dest)
        old = read_gzip_lines(previous / COMPARED) if previous else []
        log = changelog(version, previous.name if previous else None, old, read_gzip_lines(tmp / COMPARED))
        (tmp / "CHANGELOG.md").write_text(log.to_markdown(), encoding="utf-8")
        (tmp / "changelog.json").write_text(
            json.dumps(log.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        every = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        (tmp / SUMS).write_text("".join(f"{sha256_file(tmp / f)}  {f}\n" for f in every), encoding="utf-8")
        if target.exists():  # another release of the same version finished meanwhile
            raise InputError(
                f"release {version} already exists in {target}",
                hint="releases are never overwritten: choose a new version",
            )
        os.replace(tmp, target)
    except OSError as exc:  # a full disk, a read-only folder: no release folder, none half-written
        raise OutputWriteError.writing(target, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
