"""itugraph: the open knowledge graph of the ITU, and a tool for any OWL + RDF + SHACL project.

The Python API is what this module exports (``__all__``)::

    from itugraph import Project, build_project, render_report, validate_project

    built = build_project(Project.at("path/to/project"))  # cached; raises ItuGraphError
    rows = built.open_store().query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3").records()
    print(render_report(validate_project(Project.at("path/to/project")), "text"))

``build_project`` and ``explain_triple`` are ``itugraph.build.build`` and
``itugraph.explain.explain_triple``: a package attribute cannot share its name with a
submodule (importing ``itugraph.build`` rebinds ``itugraph.build`` to the module).
Names are imported on first use (PEP 562), so ``import itugraph`` (and the CLI, and every
query worker process) does not pay for Flask, rdflib or pySHACL until it needs them.
Everything else in the package is internal and may change between releases.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: Public name -> (module, attribute in that module).
_EXPORTS: dict[str, tuple[str, str]] = {
    # projects, builds and the store
    "Project": ("itugraph.project", "Project"),
    "Build": ("itugraph.build", "Build"),
    "build_project": ("itugraph.build", "build"),
    "cached_build": ("itugraph.build", "cached_build"),
    "OxigraphStore": ("itugraph.store", "OxigraphStore"),
    "GraphStore": ("itugraph.store", "GraphStore"),
    # external SPARQL stores (docs/deploy.md)
    "publish_build": ("itugraph.publish", "publish"),
    "publish_targets": ("itugraph.publish", "publish_targets"),
    "RemoteSparqlStore": ("itugraph.remote_store", "RemoteSparqlStore"),
    "RemoteStoreConfig": ("itugraph.remote_store", "RemoteStoreConfig"),
    # validation
    "validate_project": ("itugraph.validation", "validate_project"),
    "ValidationReport": ("itugraph.validation", "ValidationReport"),
    "ValidationResult": ("itugraph.validation", "ValidationResult"),
    "render_report": ("itugraph.validation", "render"),
    # reasoning and explanations
    "infer": ("itugraph.reasoning", "infer"),
    "Closure": ("itugraph.reasoning", "Closure"),
    "explain_triple": ("itugraph.explain", "explain_triple"),
    # the query catalogue and exports
    "NamedQuery": ("itugraph.catalogue", "NamedQuery"),
    "load_catalogue": ("itugraph.catalogue", "load_catalogue"),
    "export_to": ("itugraph.export", "export_to"),
    # the web app
    "create_app": ("itugraph.web", "create_app"),
    "Settings": ("itugraph.web.config", "Settings"),
    # errors: one hierarchy, told apart by class (``code`` is the stable machine name)
    "ItuGraphError": ("itugraph.errors", "ItuGraphError"),
    "InputError": ("itugraph.errors", "InputError"),
    "RdfSyntaxError": ("itugraph.errors", "RdfSyntaxError"),
    "ShapesError": ("itugraph.errors", "ShapesError"),
    "QueryError": ("itugraph.errors", "QueryError"),
    "QuerySyntaxError": ("itugraph.errors", "QuerySyntaxError"),
    "QueryParameterError": ("itugraph.errors", "QueryParameterError"),
    "QueryTimeoutError": ("itugraph.errors", "QueryTimeoutError"),
    "InconsistencyError": ("itugraph.errors", "InconsistencyError"),
    "ValidationFailedError": ("itugraph.errors", "ValidationFailedError"),
    "StoreError": ("itugraph.errors", "StoreError"),
    "CacheWriteError": ("itugraph.errors", "CacheWriteError"),
    "OutputWriteError": ("itugraph.errors", "OutputWriteError"),
    "PublishError": ("itugraph.errors", "PublishError"),
}

#: Checked against ``_EXPORTS`` by tests/test_api_surface.py (a literal, for linters).
__all__ = [
    "Build",
    "CacheWriteError",
    "Closure",
    "GraphStore",
    "InconsistencyError",
    "InputError",
    "ItuGraphError",
    "NamedQuery",
    "OutputWriteError",
    "OxigraphStore",
    "Project",
    "PublishError",
    "QueryError",
    "QueryParameterError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "RdfSyntaxError",
    "RemoteSparqlStore",
    "RemoteStoreConfig",
    "Settings",
    "ShapesError",
    "StoreError",
    "ValidationFailedError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "build_project",
    "cached_build",
    "create_app",
    "explain_triple",
    "export_to",
    "infer",
    "load_catalogue",
    "publish_build",
    "publish_targets",
    "render_report",
    "validate_project",
]

if TYPE_CHECKING:  # what mypy and editors see; at run time __getattr__ loads on demand
    from itugraph.build import Build, cached_build
    from itugraph.build import build as build_project
    from itugraph.catalogue import NamedQuery, load_catalogue
    from itugraph.errors import (
        CacheWriteError,
        InconsistencyError,
        InputError,
        ItuGraphError,
        OutputWriteError,
        PublishError,
        QueryError,
        QueryParameterError,
        QuerySyntaxError,
        QueryTimeoutError,
        RdfSyntaxError,
        ShapesError,
        StoreError,
        ValidationFailedError,
    )
    from itugraph.explain import explain_triple
    from itugraph.export import export_to
    from itugraph.project import Project
    from itugraph.publish import publish as publish_build
    from itugraph.publish import publish_targets
    from itugraph.reasoning import Closure, infer
    from itugraph.remote_store import RemoteSparqlStore, RemoteStoreConfig
    from itugraph.store import GraphStore, OxigraphStore
    from itugraph.validation import ValidationReport, ValidationResult, validate_project
    from itugraph.validation.render import render as render_report
    from itugraph.web import create_app
    from itugraph.web.config import Settings


def __getattr__(name: str) -> object:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'itugraph' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
