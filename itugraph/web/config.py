"""Server settings: defaults, then ``ITUGRAPH_*`` environment variables, then explicit overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

#: Every setting with its default; an environment variable ``ITUGRAPH_<NAME>`` overrides it.
DEFAULTS: dict[str, Any] = {
    "HOST": "127.0.0.1",
    "PORT": 8000,
    #: HTTP worker processes (``itugraph serve``): one per core this process may run on
    #: (its CPU affinity, so ``taskset`` and container CPU sets are honoured), so the Python
    #: side of requests uses every core, as the engine does.
    "HTTP_WORKERS": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
    else os.cpu_count() or 1,
    #: HTTP threads in each HTTP worker process; queries themselves run in query workers.
    "THREADS": 4,
    #: Query worker processes of each HTTP worker process (each runs one query at a time).
    "WORKERS": 2,
    #: Seconds a query may run before its worker is killed.
    "QUERY_TIMEOUT": 30.0,
    #: Rows (SELECT) or triples (CONSTRUCT) an answer may have; a larger one is refused
    #: (422, before any byte is sent), never cut. 0 = no limit: answers stream whole.
    "MAX_ROWS": 0,
    #: Largest query text accepted, in bytes.
    "MAX_QUERY_BYTES": 256 * 1024,
    #: Result cache size, in bytes of serialised results kept in memory.
    "CACHE_BYTES": 64 * 1024 * 1024,
    #: Per-worker address-space limit in MB (0 = none).
    "WORKER_MEMORY_MB": 0,
    #: Space-separated endpoint IRIs that SERVICE may call (empty = federation off).
    "SERVICE_ALLOW": "",
    #: ``Cache-Control`` max-age for query results, in seconds.
    "MAX_AGE": 300,
    #: Folder where the HTTP worker processes keep their counters for ``/metrics``
    #: (set by ``itugraph serve``; empty: this process counts alone).
    "METRICS_DIR": "",
}


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings with each value converted to its default's type.

    >>> load_settings({"PORT": "8080"}, environ={})["PORT"]
    8080
    """
    env = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        if f"ITUGRAPH_{name}" in env:
            settings[name] = _convert(name, env[f"ITUGRAPH_{name}"], default)
    for name, value in (overrides or {}).items():
        settings[name] = _convert(name, value, DEFAULTS.get(name, value))
    return settings


def _convert(name: str, value: Any, default: Any) -> Any:
    if default is None or isinstance(value, type(default)):
        return value
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting {name}={value!r} must be a {type(default).__name__}") from None
