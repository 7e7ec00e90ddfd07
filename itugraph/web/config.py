"""Server settings: one frozen record, built in one place from defaults, ``ITUGRAPH_*``
environment variables, then explicit overrides (CLI flags, ``create_app(settings=...)``).

Each setting has one name in three spellings: the field (``query_timeout``, what the code
reads, checked by mypy), the override key (``QUERY_TIMEOUT``) and the environment variable
(``ITUGRAPH_QUERY_TIMEOUT``). A value that does not convert to the field's type, or an
unknown name, is an error naming the setting, never a silent default.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itugraph.sparql_text import MAX_QUERY_DEPTH
from itugraph.web.client_address import parse_networks

if TYPE_CHECKING:
    from itugraph.remote_store import RemoteStoreConfig

BACKENDS = ("embedded", "sparql")


def _cores() -> int:
    """Cores this process may run on (its CPU affinity: ``taskset`` and cgroup CPU sets count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    """Every server setting with its default; see README, "SPARQL endpoint", for their use."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: HTTP worker processes (``itugraph serve``): one per core by default, so the Python
    #: side of requests uses every core, as the engine does.
    http_workers: int = field(default_factory=_cores)
    #: HTTP threads in each HTTP worker process; queries themselves run in query workers.
    threads: int = 4
    #: Query worker processes of each HTTP worker process (each runs one query at a time).
    workers: int = 2
    #: Seconds a query may run before its worker is killed.
    query_timeout: float = 30.0
    #: Seconds ``itugraph serve`` waits, after SIGTERM or SIGINT, for the requests in flight
    #: to finish before it kills its HTTP workers (above ``query_timeout``, so a query
    #: running when the stop comes is answered).
    shutdown_timeout: float = 40.0
    #: Rows (SELECT) or triples (CONSTRUCT) an answer may have; a larger one is refused
    #: (422, before any byte is sent), never cut. 0 = no limit: answers stream whole.
    max_rows: int = 0
    #: Largest query text accepted, in bytes (the request body limit is four times this).
    max_query_bytes: int = 256 * 1024
    #: How deep brackets may nest in a query (400 ``QUERY_TOO_DEEP``; 0 = no limit).
    max_query_depth: int = MAX_QUERY_DEPTH
    #: Queries one client (by address) may have evaluating at once in an HTTP process; more
    #: get 429 ``CLIENT_BUSY``. 0 = no limit (the default: behind a proxy all clients share
    #: the proxy's address).
    max_queries_per_client: int = 0
    #: Requests per second one client (by address) may make, over all HTTP worker processes;
    #: more get 429 ``RATE_LIMITED`` with ``Retry-After``. 0 = no limit (the default).
    rate_limit: float = 0.0
    #: Requests a client may make at once before ``rate_limit`` paces it (a page with its
    #: scripts and styles, a notebook's first queries).
    rate_burst: int = 30
    #: Reverse proxies (addresses or networks, space-separated in the environment) whose
    #: ``X-Forwarded-For`` names the client for the per-client limits; empty: the peer
    #: address is the client, and ``X-Forwarded-For`` is ignored.
    trusted_proxies: frozenset[str] = frozenset()
    #: Result cache size, in bytes of serialised results kept in memory.
    cache_bytes: int = 64 * 1024 * 1024
    #: Bytes of linked-data documents each HTTP worker process keeps to send again without
    #: Flask (``itugraph.web.replay``); 0 turns that layer off.
    replay_cache_bytes: int = 64 * 1024 * 1024
    #: Per-worker address-space limit in MB (0 = none), set once the worker's store is open;
    #: below what a worker holds then (~200 MB) plus 64 MB, the server refuses to start.
    worker_memory_mb: int = 0
    #: Endpoint IRIs that SERVICE may call (empty = federation off); in the environment and
    #: overrides, a space-separated list.
    service_allow: frozenset[str] = frozenset()
    #: Seconds a request for a dump not yet written waits for the writer before a ``503``.
    dump_wait: float = 20.0
    #: ``Cache-Control`` max-age for query results, in seconds.
    max_age: int = 300
    #: The server's public root URL (e.g. ``https://itugraph.example.org/``) for absolute
    #: links in headers (``Content-Location``, ``Link``) and dumps' metadata; empty: the
    #: root of the URL each request came to (right on localhost and behind a proxy that
    #: forwards the Host header).
    public_url: str = ""
    #: Where queries to ``/sparql`` and the named queries run: ``embedded`` (the build's
    #: pyoxigraph store) or ``sparql`` (an external store that ``itugraph publish`` loaded,
    #: at ``query_url``; credentials from ITUGRAPH_STORE_USER/ITUGRAPH_STORE_PASSWORD).
    backend: str = "embedded"
    #: The external store's SPARQL query endpoint (``backend = "sparql"``).
    query_url: str = ""
    #: Seconds a front end trusts the store's pointer graph before reading it again; keep it
    #: well below ``itugraph publish --grace``.
    pointer_ttl: float = 1.0
    #: Folder where the HTTP worker processes keep their counters for ``/metrics`` and the
    #: rate limit's table (set by ``itugraph serve``; None: this process counts alone).
    metrics_dir: Path | None = None

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (field names), converted like any other override."""
        return load_settings({name.upper(): value for name, value in changes.items()}, environ={}, base=self)

    def as_overrides(self) -> dict[str, Any]:
        """The settings as override keys, e.g. to hand them to another process."""
        return {f.name.upper(): getattr(self, f.name) for f in dataclasses.fields(self)}


#: The override keys (``QUERY_TIMEOUT``) and their field names.
NAMES: dict[str, str] = {f.name.upper(): f.name for f in dataclasses.fields(Settings)}


def load_settings(
    overrides: Mapping[str, Any] | Settings | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    base: Settings | None = None,
) -> Settings:
    """Settings from ``base`` (default: the defaults), the environment, then ``overrides``.

    >>> load_settings({"PORT": "8080"}, environ={}).port
    8080
    >>> sorted(load_settings(environ={"ITUGRAPH_SERVICE_ALLOW": "http://a/ http://b/"}).service_allow)
    ['http://a/', 'http://b/']
    """
    if isinstance(overrides, Settings):
        return overrides
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key, name in NAMES.items():
        if f"ITUGRAPH_{key}" in env:
            values[name] = env[f"ITUGRAPH_{key}"]
    for key, value in (overrides or {}).items():
        if key not in NAMES:
            raise ValueError(f"unknown setting {key!r}; the settings are: {', '.join(NAMES)}")
        values[NAMES[key]] = value
    current = base or Settings()
    converted = {name: _convert(name, value, getattr(current, name)) for name, value in values.items()}
    return _checked(dataclasses.replace(current, **converted))


def _checked(settings: Settings) -> Settings:
    """Values of the right type but outside their range are errors naming the setting."""
    if settings.rate_limit < 0:
        raise ValueError(f"setting RATE_LIMIT={settings.rate_limit!r} must be 0 (off) or a positive rate")
    if settings.worker_memory_mb < 0:
        raise ValueError(f"setting WORKER_MEMORY_MB={settings.worker_memory_mb!r} must be 0 (no limit) or MB")
    if settings.rate_burst < 1:
        raise ValueError(f"setting RATE_BURST={settings.rate_burst!r} must be at least 1")
    return settings


def _convert(name: str, value: Any, default: Any) -> Any:
    """``value`` as the type of the setting ``name`` (whose current value is ``default``)."""
    try:
        if name == "service_allow":
            return frozenset(value.split() if isinstance(value, str) else value)
        if name == "trusted_proxies":
            return parse_networks(value)
        if name == "metrics_dir":
            return Path(value) if value not in (None, "") else None
        if isinstance(default, bool) or not isinstance(default, int | float | str):
            return value
        return type(default)(value)
    except (TypeError, ValueError) as exc:
        if name == "trusted_proxies":
            raise ValueError(
                f"setting TRUSTED_PROXIES={value!r} must list IP addresses or networks: {exc}"
            ) from None
        raise ValueError(f"setting {name.upper()}={value!r} must be a {type(default).__name__}") from None


def remote_config(settings: Settings) -> RemoteStoreConfig | None:
    """The external store of ``backend = "sparql"`` (None for the embedded store); a bad
    combination is an error naming the settings."""
    from itugraph.errors import InputError
    from itugraph.remote_store import RemoteStoreConfig
    from itugraph.sparql_client import check_store_url, load_credentials

    if settings.backend not in BACKENDS:
        raise InputError(f"unknown backend {settings.backend!r}", hint=f"use one of: {', '.join(BACKENDS)}")
    if settings.backend == "embedded":
        return None
    if not settings.query_url:
        raise InputError(
            "the sparql backend needs the store's query URL",
            hint="pass --query-url URL (or set ITUGRAPH_QUERY_URL)",
        )
    url = check_store_url(settings.query_url, "--query-url")
    return RemoteStoreConfig(
        url, load_credentials(url, None), timeout=settings.query_timeout, pointer_ttl=settings.pointer_ttl
    )
