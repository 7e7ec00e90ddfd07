"""The soak's figures: requests tallied by kind, memory points, the two verdicts, the table.

The verdicts are the issue's: no error outside the documented limit answers
(``bench.soak_mix.outcome``), and memory that grows, from the start of the load to its
end, by no more than the caches the server was configured with may hold
(:func:`cache_bound_mb`): the result cache, the replay cache and the linked-data document
cache, in each HTTP worker process. Growth beyond that is memory nothing bounds: a leak.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.soak_mix import MUST_REFUSE
from itugraph.linkeddata.doccache import DocumentCache
from itugraph.web.config import load_settings

#: Kinds of unexpected answers kept for the report, with an example (the count is whole).
ERROR_EXAMPLES = 10


@dataclass
class KindTally:
    """The answers to one kind of request."""

    outcomes: Counter[str] = field(default_factory=Counter)
    #: Answers by status and error code (``503 QUERY_TIMEOUT``; ``0 TimeoutError``: no answer).
    answers: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)


class Tally:
    """Every answer of the run, by kind; shared by the client threads."""

    def __init__(self) -> None:
        self.kinds: dict[str, KindTally] = {}
        #: Unexpected answers by kind and code, with the path of the first one.
        self.error_examples: dict[str, str] = {}
        #: Limit answers to requests that should have been answered (a query timed out
        #: waiting behind runaways): by kind and code, with the first one's label.
        self.limit_examples: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, kind: str, outcome: str, answer: str, ms: float, label: str = "") -> None:
        """One answer: ``answer`` is its status and error code (``bench.soak_mix.answer_code``)."""
        with self._lock:
            tally = self.kinds.setdefault(kind, KindTally())
            tally.outcomes[outcome] += 1
            tally.answers[answer] += 1
            tally.latencies_ms.append(ms)
            key = f"{kind}: {answer}"
            if outcome == "error" and len(self.error_examples) < ERROR_EXAMPLES:
                self.error_examples.setdefault(key, label)
            if outcome == "limit" and kind not in MUST_REFUSE:
                self.limit_examples[f"{key} ({label})"] += 1

    def count(self, outcome: str | None = None) -> int:
        return sum(
            sum(t.outcomes.values()) if outcome is None else t.outcomes[outcome] for t in self.kinds.values()
        )


def percentile(values: list[float], fraction: float) -> float | None:
    """The ``fraction`` quantile (nearest rank) of ``values``; None when there are none.

    >>> percentile([5.0, 1.0, 3.0], 0.5)
    3.0
    >>> percentile(list(map(float, range(1, 101))), 0.99)
    99.0
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(len(ordered), rank) - 1]


def kind_rows(tally: Tally, seconds: float) -> list[dict[str, Any]]:
    """Per kind: requests, per second, outcomes, statuses, p50 and p99 (ms)."""
    rows = []
    for kind, t in sorted(tally.kinds.items()):
        rows.append(
            {
                "kind": kind,
                "requests": sum(t.outcomes.values()),
                "per_s": round(sum(t.outcomes.values()) / seconds, 2) if seconds else 0.0,
                "ok": t.outcomes["ok"],
                "limit": t.outcomes["limit"],
                "errors": t.outcomes["error"],
                "answers": dict(sorted(t.answers.items())),
                "p50_ms": _round(percentile(t.latencies_ms, 0.5)),
                "p99_ms": _round(percentile(t.latencies_ms, 0.99)),
            }
        )
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def overall(tally: Tally, seconds: float) -> dict[str, Any]:
    """Throughput and latency of the whole mix (limit answers are answers; errors are not)."""
    every = [ms for t in tally.kinds.values() for ms in t.latencies_ms]
    answered = tally.count("ok") + tally.count("limit")
    return {
        "requests": tally.count(),
        "answered_per_s": round(answered / seconds, 1) if seconds else 0.0,
        "ok": tally.count("ok"),
        "limit": tally.count("limit"),
        "errors": tally.count("error"),
        "p50_ms": _round(percentile(every, 0.5)),
        "p99_ms": _round(percentile(every, 0.99)),
    }


def memory_points(
    samples: list[tuple[float, float]], start: float, end: float, after: float | None = None
) -> dict[str, float]:
    """MB at the load's ``start``, middle and ``end`` (the nearest samples), the peak, and
    ``after`` it (idle again), from (time, MB) samples.

    >>> memory_points([(0.0, 100.0), (5.0, 150.0), (10.0, 120.0), (13.0, 110.0)], 0.0, 10.0, 13.0)
    {'start_mb': 100.0, 'middle_mb': 150.0, 'end_mb': 120.0, 'peak_mb': 150.0, 'after_mb': 110.0}
    """
    if not samples:
        raise ValueError("no memory samples were taken")

    def at(moment: float) -> float:
        return round(min(samples, key=lambda s: abs(s[0] - moment))[1], 1)

    points = {"start_mb": at(start), "middle_mb": at((start + end) / 2), "end_mb": at(end)}
    points["peak_mb"] = round(max(mb for t, mb in samples if start <= t <= end), 1)
    if after is not None:
        points["after_mb"] = at(after)
    return points


def cache_bound_mb(environ: Mapping[str, str], http_workers: int) -> float:
    """What the caches of a server run with ``environ`` may hold in all, in MB.

    Per HTTP worker process: the result cache (``ITUGRAPH_CACHE_BYTES``), the replay cache
    (``ITUGRAPH_REPLAY_CACHE_BYTES``) and the linked-data document cache (a fixed size).

    >>> cache_bound_mb({"ITUGRAPH_CACHE_BYTES": str(2**20), "ITUGRAPH_REPLAY_CACHE_BYTES": "0"}, 2)
    66.0
    """
    settings = load_settings(environ=environ)
    per_process = settings.cache_bytes + settings.replay_cache_bytes + DocumentCache().max_bytes
    return round(per_process * http_workers / 2**20, 1)


def verdicts(summary: Mapping[str, Any], http: Mapping[str, float], bound_mb: float) -> dict[str, bool]:
    """The issue's two checks: no unexpected error; the processes that hold the caches grew,
    from the start of the load to its end, by no more than the caches' bound."""
    return {
        "no_errors": summary["errors"] == 0,
        "memory_bounded": http["end_mb"] - http["start_mb"] <= bound_mb,
    }


def render(report: Mapping[str, Any]) -> str:
    """The run as markdown: settings, the mix by kind, the totals, memory and verdicts."""
    s, m, v = report["overall"], report["memory"], report["verdicts"]
    http, query, tree = m["http"], m["query"], m["tree"]
    lines = [
        f"Soak: {report['clients']} clients ({report['runaway_clients']} sending runaway queries) for "
        f"{report['seconds']:g} s against `itugraph serve` on loopback; settings: {report['settings']}; "
        f"machine load average (1 min) before and at the end: {report.get('load_average', '?')}",
        "",
        "| kind | requests | per s | ok | limit answers | errors | answers | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for row in report["kinds"]:
        statuses = ", ".join(f"{k}: {n}" for k, n in row["answers"].items())
        lines.append(
            f"| {row['kind']} | {row['requests']} | {row['per_s']} | {row['ok']} | {row['limit']} | "
            f"{row['errors']} | {statuses} | {row['p50_ms']} | {row['p99_ms']} |"
        )
    lines += [
        f"| **all** | {s['requests']} | {s['answered_per_s']} answered | {s['ok']} | {s['limit']} | "
        f"{s['errors']} | | {s['p50_ms']} | {s['p99_ms']} |",
        "",
        "| RSS of the server's process tree (MB) | start | middle | end | peak | idle after |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {label} | {p['start_mb']} | {p['middle_mb']} | {p['end_mb']} | {p['peak_mb']} | "
            f"{p.get('after_mb', '')} |"
            for label, p in (
                ("HTTP processes (the caches)", http),
                ("query workers", query),
                ("whole tree", tree),
            )
        ),
        "",
        f"Growth of the HTTP processes: {http['end_mb'] - http['start_mb']:.1f} MB against the caches' "
        f"bound of {report['cache_bound_mb']} MB (whole tree: {tree['end_mb'] - tree['start_mb']:.1f} MB; "
        f"the query workers hold the working memory of the queries in flight).",
        f"Verdicts: errors outside the limit answers: {'none' if v['no_errors'] else s['errors']}; "
        f"memory {'within' if v['memory_bounded'] else 'BEYOND'} the caches' bound.",
    ]
    examples = report.get("error_examples", {})
    lines += [f"  unexpected: {key} (first: {label})" for key, label in examples.items()]
    noted = report.get("limit_examples", {})
    lines += [f"  time limit on a normal request: {key}: {n}" for key, n in sorted(noted.items())]
    return "\n".join(lines)
