"""Typed records of what a run measures, and their JSON form.

The suite fills these while it measures; ``to_dict`` gives the shape written to
``bench/results/<date>.json`` (keys in the same order, absent figures left out), which
``bench.tables`` and ``bench.targets`` read back, also from older files. Leaves that are
JSON already stay dicts: a phase's entry, a load cell (``LoadResult.to_dict()`` plus a
note), the in-process figures a child process printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _present(*pairs: tuple[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in pairs if value is not None}


@dataclass
class HttpCell:
    """One query on one server over HTTP: the first answer, then one load per level."""

    #: Not measured (time budget spent).
    skipped: str | None = None
    #: The first answer failed (then nothing else is measured).
    error: str | None = None
    #: The time limit the query ran into, and whose: "server" (itugraph's own) or "client".
    over_limit_s: float | None = None
    limit: str | None = None
    rows: int | None = None
    first_ms: float | None = None
    #: "c1", "c8", … and "c8_cached" (itugraph, one repeated text): each a ``LoadResult``
    #: dict, or why it is missing.
    loads: dict[str, dict[str, Any]] = field(default_factory=dict)

    def figure(self, load: str, key: str) -> Any:
        """One figure of one load (``cell.figure("c1", "p50_ms")``), or None."""
        return self.loads.get(load, {}).get(key)

    def to_dict(self) -> dict[str, Any]:
        return (
            _present(
                ("skipped", self.skipped),
                ("error", self.error),
                ("over_limit_s", self.over_limit_s),
                ("limit", self.limit),
                ("rows", self.rows),
                ("first_ms", self.first_ms),
            )
            | self.loads
        )


def cell_of(cells: dict[str, HttpCell], server: str) -> HttpCell:
    """``server``'s cell of one query, empty when it has none."""
    return cells.get(server) or HttpCell()


@dataclass
class ServerRun:
    """One server in a workload's HTTP phase."""

    skipped: str | None = None
    warm_start_s: float | None = None
    error: str | None = None
    peak_rss_mb: float | None = None
    restarts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return _present(
            ("skipped", self.skipped),
            ("warm_start_s", self.warm_start_s),
            ("error", self.error),
            ("peak_rss_mb", self.peak_rss_mb),
            ("restarts", self.restarts or None),
        )


@dataclass
class HttpResult:
    """A workload's HTTP phase: every server, and every query's cell per server."""

    levels: list[int]
    servers: dict[str, ServerRun] = field(default_factory=dict)
    #: Query name → server name → cell.
    queries: dict[str, dict[str, HttpCell]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "servers": {name: run.to_dict() for name, run in self.servers.items()},
            "queries": {
                query: {server: cell.to_dict() for server, cell in cells.items()}
                for query, cells in self.queries.items()
            },
            "levels": self.levels,
        }


@dataclass
class WorkloadResult:
    """Everything measured on one workload (``results["workloads"][name]``)."""

    #: Phase name → its entry (``wall_s``, ``peak_rss_mb``, ``error``, figures…).
    phases: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Wall seconds per step, in the order they ran.
    timeline: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    asserted_triples: int | None = None
    error: str | None = None
    http: HttpResult | None = None
    scaling: dict[str, Any] | None = None
    #: Dereferencing (issue 15): warm c=8 req/s of both servers on the same resources.
    deref: dict[str, Any] | None = None
    #: Query name → in-process figures (``median_ms``, ``p99_ms``, ``runs``, ``rows``) or why not.
    inprocess: dict[str, dict[str, Any]] | None = None
    wall_s: float | None = None
    ratios: dict[str, Any] | None = None
    #: The workload raised ``error``: nothing else it measured is kept.
    crashed: bool = False
    #: Not run at all.
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.skipped is not None:
            return {"skipped": self.skipped}
        if self.crashed:
            return _present(("error", self.error), ("wall_s", self.wall_s), ("ratios", self.ratios))
        return {
            "phases": self.phases,
            "timeline": self.timeline,
            "info": self.info,
            "asserted_triples": self.asserted_triples,
        } | _present(
            ("error", self.error),
            ("http", self.http and self.http.to_dict()),
            ("scaling", self.scaling),
            ("deref", self.deref),
            ("inprocess", self.inprocess),
            ("wall_s", self.wall_s),
            ("ratios", self.ratios),
        )
