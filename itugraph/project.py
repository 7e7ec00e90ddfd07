"""Where a project's inputs and derived files live.

itugraph works on any folder laid out like this repository (``ontology/``, ``graph/``,
``shapes/``, ``queries/``), so every command takes a :class:`Project` rather than
hard-coded paths. Derived files go to ``ROOT/.itugraph/`` (git-ignored).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from itugraph.errors import InputError
from itugraph.rdf_formats import is_rdf_file

#: The repository that ships with the package: the ITU graph is the default project.
EMBEDDED_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """The folders of one OWL + RDF + SHACL project and its cache folder."""

    root: Path
    ontology_dir: Path
    data_dir: Path
    shapes_dir: Path
    queries_dir: Path

    @classmethod
    def at(
        cls,
        root: Path | str | None = None,
        *,
        ontology: Path | str | None = None,
        data: Path | str | None = None,
        shapes: Path | str | None = None,
        queries: Path | str | None = None,
    ) -> Project:
        """The project at ``root`` (default: ``$ITUGRAPH_ROOT``, else the embedded ITU graph).

        Each folder may be overridden on its own; folders are checked to exist so a
        typo fails here, with the path, rather than as an empty graph later.
        """
        base = Path(root or os.environ.get("ITUGRAPH_ROOT") or EMBEDDED_ROOT).resolve()
        if not base.is_dir():
            raise InputError(f"project root {base} is not a folder", hint="pass an existing --root")
        project = cls(
            root=base,
            ontology_dir=_resolve(base, ontology, "ontology"),
            data_dir=_resolve(base, data, "graph"),
            shapes_dir=_resolve(base, shapes, "shapes"),
            queries_dir=_resolve(base, queries, "queries"),
        )
        for label, folder in (("ontology", project.ontology_dir), ("data", project.data_dir)):
            if not folder.is_dir():
                raise InputError(
                    f"{label} folder {folder} does not exist",
                    hint=f"create it or point --{label} at the folder holding your {label} files",
                )
        return project

    @property
    def cache_dir(self) -> Path:
        """Derived files of this project (inferred store, derivations); safe to delete."""
        return self.root / ".itugraph"

    def ontology_files(self) -> list[Path]:
        return rdf_files(self.ontology_dir)

    def data_files(self) -> list[Path]:
        return rdf_files(self.data_dir)

    def shapes_files(self) -> list[Path]:
        return rdf_files(self.shapes_dir)

    def query_files(self) -> list[Path]:
        return sorted(self.queries_dir.rglob("*.rq")) if self.queries_dir.is_dir() else []

    def asserted_files(self) -> list[Path]:
        """Every file whose triples are asserted: the ontology, then the data."""
        return self.ontology_files() + self.data_files()

    def fingerprint(self, *extra: str) -> str:
        """A hash of every input file's path and bytes (plus ``extra`` strings).

        Used as the cache key, so a change to any input, or to an engine version
        passed in ``extra``, makes the cache stale.
        """
        digest = hashlib.sha256()
        for item in extra:
            digest.update(item.encode() + b"\0")
        for path in self.asserted_files() + self.shapes_files():
            digest.update(str(path.relative_to(self.root) if path.is_relative_to(self.root)
                              else path).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


def rdf_files(folder: Path) -> list[Path]:
    """RDF files under ``folder``, recursively, in a stable order (hidden folders skipped)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and is_rdf_file(p) and not any(part.startswith(".") for part in
                                                       p.relative_to(folder).parts)
    )


def _resolve(base: Path, override: Path | str | None, default: str) -> Path:
    return Path(override).resolve() if override else base / default
