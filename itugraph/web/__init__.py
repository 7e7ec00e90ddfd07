"""The Flask application: SPARQL endpoint, named-query API, health/metrics and the query UI.

``create_app`` builds (or loads the cached build of) a project, opens its store, starts the
query workers and registers one blueprint per surface.
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from itugraph.build import Build, build
from itugraph.catalogue import load_catalogue
from itugraph.executor import QueryExecutor
from itugraph.project import Project
from itugraph.web import (
    dumps,
    errors,
    explain_api,
    health,
    ontology_docs,
    openapi,
    queries_api,
    resources,
    sparql,
    ui,
    views,
)
from itugraph.web.client_slots import ClientSlots
from itugraph.web.config import Settings, load_settings, remote_config
from itugraph.web.hooks import install_hooks
from itugraph.web.metrics import Metrics
from itugraph.web.rate_limit import RateLimit, RateTable
from itugraph.web.replay import ReplayCache, ReplayLog
from itugraph.web.result_cache import ResultCache
from itugraph.web.state import ServingState


def create_app(
    project: Project | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    *,
    built: Build | None = None,
) -> Flask:
    """An app serving ``project`` (default: the ITU graph).

    ``settings`` is a ``Settings`` record, or override keys (``{"QUERY_TIMEOUT": 3}``)
    applied over the defaults and the ``ITUGRAPH_*`` environment, as flaskr's
    ``create_app(test_config)`` does for tests.
    """
    config = load_settings(settings)
    project = project or Project.at()
    built = built or build(project)
    app = Flask(__name__)
    remote = remote_config(config)
    executor = QueryExecutor(
        built.store_path,
        built.version,
        workers=config.workers,
        memory_limit_mb=config.worker_memory_mb or None,
        remote=remote,
    )
    atexit.register(executor.close)
    metrics = Metrics(config.metrics_dir)
    store = built.open_store()
    app.extensions["itugraph"] = ServingState(
        built=built,
        store=store,
        backend=remote.open() if remote else store,
        executor=executor,
        cache=ResultCache(config.cache_bytes),
        metrics=metrics,
        catalogue=load_catalogue(project.queries_dir),
        settings=config,
        clients=ClientSlots(config.max_queries_per_client),
    )
    for blueprint in (
        errors.bp,
        sparql.bp,
        queries_api.bp,
        explain_api.bp,
        health.bp,
        ui.bp,
        views.bp,
        resources.bp,
        dumps.bp,
        ontology_docs.bp,
        openapi.bp,
    ):
        app.register_blueprint(blueprint)
    install_hooks(app, max_query_bytes=config.max_query_bytes)
    # Outermost: a document already sent once in this build is sent again without Flask.
    backend = app.extensions["itugraph"].backend
    app.wsgi_app = ReplayCache(  # type: ignore[method-assign]
        app.wsgi_app,
        metrics,
        config.replay_cache_bytes,
        ReplayLog(logging.getLogger("itugraph.access")),
        generation=lambda: backend.version,
    )
    if config.rate_limit:  # outside the replay layer: replayed documents count too
        table = RateTable(config.rate_limit, config.rate_burst, config.metrics_dir)
        app.wsgi_app = RateLimit(app.wsgi_app, table, config.trusted_proxies, metrics)  # type: ignore[method-assign]
    return app
