"""itugraph's benchmark suite: ``python -m bench`` (``make bench``; ``make bench-quick`` skips 1M).

Per workload (the real ITU graph; synthetic graphs of ~10k, ~100k, ~1M generated triples
from ``bench.synth``) it measures, each phase in its own subprocess with its own time cap:
parse time (pyoxigraph vs rdflib), the OWL 2 RL closure per engine, the cold build with its
peak RSS and step timings, SHACL validation, the warm start of every server, per-query
latency and throughput over HTTP for itugraph, ``oxigraph serve-read-only`` and
``rdflib-endpoint`` on the same inferred dump, and per-query latency in-process. It prints
tables and the issues' targets and writes ``bench/results/<date>.json``; ``python -m bench
report FILE...`` prints them again from saved results.

Why it is shaped like this: the issue asks for the whole suite in under 20 minutes on two
cores, so every phase has a cap, the budget is shared out up front (``bench.options``) and
each workload records a ``timeline`` of wall seconds per step. How that plan came about,
run by run, is the diary at the end of ``docs/benchmarks.md``.

One job per module:

* ``cli``: arguments, ``report``; ``suite``: the run, one workload after another;
* ``options``: settings, time caps and budget shares; ``records``: typed results;
* ``procs``: child processes (spawn, kill, timed runs, RSS sampling);
* ``servers``: starting itugraph, Oxigraph and rdflib-endpoint, and asking them;
* ``phases``: parse, closure, build, validation, export and in-process latency phases;
  ``child``: the code those phases run in their subprocess;
* ``http_phase``: per-query HTTP cells and the 1-core/2-core scaling; ``load``: the load
  generators (wrk or Python);
* ``ratios``, ``tables``, ``targets``: the summary figures, markdown tables and targets;
* ``queries``: the query set; ``synth``: synthetic ITU-shaped projects.

Stand-alone measurements beside the suite: ``python -m bench.closure``,
``bench.validation``, ``bench.validation_engines``, ``bench.profile_http``,
``bench.large_results``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

#: This package's folder (``results/`` below it holds each run's JSON, git-ignored).
BENCH = Path(__file__).resolve().parent
#: The repository: its ``ontology/``, ``graph/``, ``shapes/`` and ``queries/`` are the real workload.
REPO = BENCH.parent


def say(msg: str) -> None:
    """A progress line on stderr (stdout carries the tables)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
