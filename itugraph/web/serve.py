"""Production serving with waitress (pure Python, multi-threaded, no C build, runs anywhere)."""

from __future__ import annotations

import logging
from typing import Any

import waitress

from itugraph.project import Project
from itugraph.web import create_app

log = logging.getLogger("itugraph")


def serve(project: Project, overrides: dict[str, Any]) -> None:
    """Build (or reuse the cached build), then serve until interrupted."""
    logging.getLogger("itugraph").setLevel(logging.INFO)
    logging.getLogger("itugraph.access").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(message)s")
    app = create_app(project, overrides)
    settings = app.extensions["itugraph"].settings
    host, port = settings["HOST"], int(settings["PORT"])
    log.info("itugraph %s listening on http://%s:%d/ (SPARQL at /sparql), %d threads, "
             "%d query workers, %gs query time limit", app.extensions["itugraph"].built.version,
             host, port, settings["THREADS"], settings["WORKERS"], settings["QUERY_TIMEOUT"])
    waitress.serve(app, host=host, port=port, threads=int(settings["THREADS"]),
                   ident="itugraph", channel_timeout=120, _quiet=True)
