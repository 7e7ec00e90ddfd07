"""What the app holds while serving: the build, its store, the workers, cache and metrics."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from itugraph.build import Build
from itugraph.catalogue import NamedQuery
from itugraph.executor import QueryExecutor
from itugraph.store import GraphStore, OxigraphStore
from itugraph.web.client_slots import ClientSlots
from itugraph.web.config import Settings
from itugraph.web.metrics import Metrics
from itugraph.web.result_cache import ResultCache


@dataclass
class ServingState:
    """``store`` is the build's store (linked-data pages, documents, dumps are rendered from
    it); ``backend`` answers ``/sparql`` and the named queries: the same store, or the
    external one of ``--backend sparql`` (its ``version`` is the live publication)."""

    built: Build
    store: OxigraphStore
    backend: GraphStore
    executor: QueryExecutor
    cache: ResultCache
    metrics: Metrics
    catalogue: dict[str, NamedQuery]
    settings: Settings
    #: Queries each client is evaluating (``ITUGRAPH_MAX_QUERIES_PER_CLIENT``).
    clients: ClientSlots


def state() -> ServingState:
    """The serving state of the current app."""
    serving: ServingState = current_app.extensions["itugraph"]
    return serving
