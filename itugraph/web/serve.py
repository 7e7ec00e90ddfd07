"""Production serving with granian: HTTP parsed in Rust, the Flask app run in Python threads.

Why granian and not waitress (the first choice, pure Python): on the same Flask app and
queries granian answered 1.4-1.6x more queries per second at concurrency 8 and cut the
latency of one request by 0.15 ms (``docs/engines.md``, "The HTTP server"). It ships as a
binary wheel on PyPI, so nothing is compiled on install.

The project is built (and validated) here, in the calling process, before granian starts:
a broken project then fails like every other command, with its message and exit code,
instead of inside a server worker. Granian then starts ``HTTP_WORKERS`` processes (one per
core by default), each making the app from that build, with its own query workers and
result cache; their counters meet in one folder so ``/metrics`` sums them all
(``itugraph.web.metrics``). Why per-process caches and not a shared one:
``docs/decisions.md``, "Serving on every core".
"""

from __future__ import annotations

import functools
import logging
import math
import socket
import tempfile
from typing import Any

from flask import Flask

from itugraph.build import Build, build
from itugraph.errors import InputError
from itugraph.executor import QueryExecutor
from itugraph.project import Project
from itugraph.web.config import Settings, load_settings, remote_config

log = logging.getLogger("itugraph")


def serve(project: Project, overrides: dict[str, Any]) -> None:
    """Build (or reuse the cached build), then serve until interrupted."""
    _configure_logging()
    try:
        settings = load_settings(overrides)
    except ValueError as exc:  # a bad ITUGRAPH_* variable: its name and value, no trace
        raise InputError(str(exc), hint="fix that ITUGRAPH_* environment variable or option") from None
    remote_config(settings)  # a bad backend setting fails here, not in every HTTP worker
    _check_can_listen(settings.host, settings.port)
    built = build(project)
    if settings.worker_memory_mb:  # too low for a worker to start: an error now, not in every worker
        QueryExecutor(
            built.store_path,
            built.version,
            workers=1,
            memory_limit_mb=settings.worker_memory_mb,
            remote=remote_config(settings),
        ).close()
    processes = max(1, settings.http_workers)
    log.info(
        "itugraph %s listening on http://%s:%d/ (SPARQL at /sparql): %d HTTP worker "
        "process(es), each with %d threads and %d query workers; %gs query time limit",
        built.version,
        settings.host,
        settings.port,
        processes,
        settings.threads,
        settings.workers,
        settings.query_timeout,
    )
    with tempfile.TemporaryDirectory(prefix="itugraph-metrics-") as metrics_dir:
        _run(project, settings.replace(metrics_dir=metrics_dir), built, processes)


def _run(project: Project, settings: Settings, built: Build, processes: int) -> None:
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import MPServer

    server = MPServer(
        "itugraph.web:create_app",  # shown in the process title; the loader below makes the app
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=processes,
        blocking_threads=settings.threads,
        websockets=False,
        respawn_failed_workers=True,  # a crashed worker is replaced (granian stops crash loops)
        workers_kill_timeout=max(1, math.ceil(settings.shutdown_timeout)),  # bounds a stop
        log_level=LogLevels.warning,
        log_dictconfig=_GRANIAN_LOGGING,
    )
    server.serve(target_loader=functools.partial(_make_app, project, settings, built), wrap_loader=False)


def _make_app(project: Project, settings: Settings, built: Build) -> Flask:
    """Runs in granian's worker process: the app over the build made before it started."""
    from itugraph.web import create_app

    return create_app(project, settings, built=built)


def _configure_logging() -> None:
    logging.getLogger("itugraph").setLevel(logging.INFO)
    logging.getLogger("itugraph.access").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(message)s")


#: Granian's own messages (warnings and errors only) to stderr; ours keep their handlers.
_GRANIAN_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "granian %(levelname)s: %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    },
    "loggers": {
        "_granian": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "granian.access": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}


def _check_can_listen(host: str, port: int) -> None:
    """A busy port or a wrong host is a clear error before anything is built or started."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another --port (or ITUGRAPH_PORT), or stop the program using it",
        ) from None
