"""Where a project's inputs and derived files live.

itugraph works on any folder laid out like this repository (``ontology/``, ``graph/``,
``shapes/``, ``queries/``), so every command takes a :class:`Project` rather than
hard-coded paths. Derived files go to ``ROOT/.itugraph/`` (git-ignored), or to a per-user
cache folder when the root is the installed ITU graph or not writable (:attr:`Project.cache_dir`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from itugraph.errors import InputError
from itugraph.input_guard import check_size
from itugraph.rdf_formats import is_rdf_file

_PACKAGE = Path(__file__).resolve().parent

#: The ITU graph as a wheel installs it (pyproject.toml maps ontology/, graph/, shapes/ and
#: queries/ to ``itugraph/_embedded/``): read-only data, never written to.
INSTALLED_ROOT = _PACKAGE / "_embedded"

#: Overrides where build caches go: ``$ITUGRAPH_CACHE_DIR/<root name>-<hash of the root>/``.
CACHE_DIR_ENV = "ITUGRAPH_CACHE_DIR"


def _embedded_root() -> Path:
    """The checkout the package runs from (editable install, development), else the installed data."""
    checkout = _PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and all(
        (checkout / folder).is_dir() for folder in ("ontology", "graph", "shapes", "queries")
    ):
        return checkout
    return INSTALLED_ROOT


#: The default project, the ITU graph: the repository checkout when itugraph runs from one,
#: else the copy installed with the package.
EMBEDDED_ROOT = _embedded_root()


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
        """Derived files of this project (inferred store, derivations); safe to delete.

        ``ROOT/.itugraph/`` for a project folder we may write to. The installed ITU graph
        (never written to: it is the package's data) and read-only roots use a folder of
        the per-user cache instead, and so does every root when ``$ITUGRAPH_CACHE_DIR`` is set.
        """
        if not os.environ.get(CACHE_DIR_ENV) and self.writable():
            return self.root / ".itugraph"
        return user_cache_dir() / _cache_name(self.root)

    def installed(self) -> bool:
        """Whether the root is the ITU graph installed with the package (package data)."""
        return self.root.is_relative_to(INSTALLED_ROOT)

    def writable(self) -> bool:
        """Whether commands may write under the root: not the installed data, and writable."""
        return not self.installed() and os.access(self.root, os.W_OK)

    def ontology_files(self) -> list[Path]:
        return rdf_files(self.ontology_dir)

    def data_files(self) -> list[Path]:
        return rdf_files(self.data_dir)

    def shapes_files(self) -> list[Path]:
        return rdf_files(self.shapes_dir)

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
            digest.update(
                str(path.relative_to(self.root) if path.is_relative_to(self.root) else path).encode() + b"\0"
            )
            check_size(path)  # before hashing: a huge file is refused, not read
            with path.open("rb") as stream:
                digest.update(hashlib.file_digest(stream, "sha256").digest())
        return digest.hexdigest()


def user_cache_dir() -> Path:
    """The folder of the per-user build caches, one sub-folder per project root.

    ``$ITUGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/itugraph``, else ``~/.cache/itugraph``.
    """
    if override := os.environ.get(CACHE_DIR_ENV):
        return Path(override).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "itugraph"


def _cache_name(root: Path) -> str:
    """A cache sub-folder per root: builds prune their folder, so two roots must not share one."""
    name = "itugraph" if root == INSTALLED_ROOT else root.name or "root"
    return f"{name}-{hashlib.sha256(str(root).encode()).hexdigest()[:16]}"


def rdf_files(folder: Path) -> list[Path]:
    """RDF files under ``folder``, recursively, in a stable order (hidden folders skipped)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and is_rdf_file(p)
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _resolve(base: Path, override: Path | str | None, default: str) -> Path:
    return Path(override).resolve() if override else base / default
