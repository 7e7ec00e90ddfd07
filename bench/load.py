"""HTTP load generation: ``wrk`` when installed, else a bounded Python client.

Both send POST ``application/sparql-query`` over keep-alive connections for a fixed
time, at a fixed concurrency, with a per-request number substituted into the query text
(see ``bench.queries``) unless ``distinct`` is false.

``run_sequential`` is the concurrency-1 latency sampler: sequential distinct requests on
one keep-alive connection under a per-query sample budget (a few samples or a few seconds),
so that a slow query costs a bounded time and a fast one still gets a p99.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from bench.queries import MARK


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    tool: str
    #: Slowest answer (``run_sequential``: reported instead of a p99 from too few samples).
    max_ms: float | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_load(
    url: str,
    text: str,
    accept: str,
    *,
    concurrency: int,
    seconds: float,
    distinct: bool,
    timeout: float = 30.0,
    tool: str = "auto",
    form: bool = False,
) -> LoadResult:
    """Load ``url`` (the SPARQL endpoint) with ``text`` for ``seconds`` at ``concurrency``.

    ``form``: POST ``query=…`` URL-encoded instead of ``application/sparql-query`` (Virtuoso
    7.2 does not answer the latter)."""
    text, content_type = as_body(text, form)
    if tool == "wrk" or (tool == "auto" and have_wrk()):
        return _wrk(url, text, accept, concurrency, seconds, distinct, timeout, content_type)
    return _python(url, text, accept, concurrency, seconds, distinct, timeout, content_type)


SPARQL_QUERY = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"


def as_body(text: str, form: bool) -> tuple[str, str]:
    """The request body and its type; MARK survives URL-encoding (underscores and letters)."""
    if not form:
        return text, SPARQL_QUERY
    return "query=" + quote(text, safe=""), FORM


_LUA = r"""
local template = [==[%(template)s]==]
local distinct = %(distinct)s
local headers = { ["Content-Type"] = "%(content_type)s", ["Accept"] = "%(accept)s" }
local path = "%(path)s"
local counter = 0
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = template
  if distinct then
    body = string.gsub(template, "%(mark)s", tostring(tid * 100000000 + counter))
  else
    body = string.gsub(template, "%(mark)s", "0")
  end
  return wrk.format("POST", path, headers, body)
end
"""


#: wrk's summary as one JSON line (read by ``_wrk_result``), appended to every script.
_LUA_DONE = r"""
function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "status": %d, "timeout": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.timeout,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _wrk(
    url: str,
    text: str,
    accept: str,
    concurrency: int,
    seconds: float,
    distinct: bool,
    timeout: float,
    content_type: str = SPARQL_QUERY,
) -> LoadResult:
    parts = urlsplit(url)
    script = _LUA % {
        "template": text,
        "distinct": "true" if distinct else "false",
        "accept": accept,
        "content_type": content_type,
        "path": parts.path + (f"?{parts.query}" if parts.query else ""),
        "mark": MARK,
    }
    return _run_wrk(script, url, concurrency, seconds, timeout)


def _run_wrk(script: str, url: str, concurrency: int, seconds: float, timeout: float) -> LoadResult:
    """Run wrk with the Lua ``script`` (and :data:`_LUA_DONE` after it) against ``url``'s host."""
    parts = urlsplit(url)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + _LUA_DONE)
        lua = handle.name
    try:
        cmd = ["wrk", "-t", str(min(concurrency, 2)), "-c", str(concurrency)]
        cmd += ["-d", f"{max(1, round(seconds))}s", "--timeout", f"{int(timeout)}s"]
        cmd += ["-s", lua, f"{parts.scheme}://{parts.netloc}"]
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + timeout + 30, check=False
        )
    finally:
        Path(lua).unlink(missing_ok=True)
    return _wrk_result(done.stdout, done.stderr)


def _wrk_result(stdout: str, stderr: str) -> LoadResult:
    """The figures of wrk's summary line (written by the Lua ``done`` hook)."""
    line = next((x for x in stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {stdout[-500:]} {stderr[-500:]}")
    data = json.loads(line[len("WRKJSON ") :])
    errors = sum(int(data[k]) for k in ("status", "timeout", "connect", "read", "write"))
    elapsed = data["duration_us"] / 1e6
    ok = max(0, int(data["requests"]) - int(data["status"]))
    answered = int(data["requests"]) > 0
    return LoadResult(
        requests=int(data["requests"]),
        errors=errors,
        seconds=round(elapsed, 3),
        rps=round(ok / elapsed, 2) if elapsed else 0.0,
        p50_ms=round(data["p50_us"] / 1000, 3) if answered else None,
        p99_ms=round(data["p99_us"] / 1000, 3) if answered else None,
        tool="wrk",
    )


def _post(
    conn: http.client.HTTPConnection, path: str, query: str, accept: str, content_type: str = SPARQL_QUERY
) -> int:
    """One SPARQL-protocol POST on a keep-alive connection; the body is read, the status returned."""
    conn.request("POST", path, body=query.encode(), headers={"Content-Type": content_type, "Accept": accept})
    reply = conn.getresponse()
    reply.read()
    return reply.status


def _python(
    url: str,
    text: str,
    accept: str,
    concurrency: int,
    seconds: float,
    distinct: bool,
    timeout: float,
    content_type: str = SPARQL_QUERY,
) -> LoadResult:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(tid: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        n = 0
        local: list[float] = []
        bad = 0
        while time.perf_counter() < deadline or n < 5:
            n += 1
            body = text.replace(MARK, str(tid * 100_000_000 + n) if distinct else "0")
            start = time.perf_counter()
            try:
                if _post(conn, path, body, accept, content_type) == 200:
                    local.append(time.perf_counter() - start)
                else:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        conn.close()
        with lock:
            latencies.extend(local)
            errors[0] += bad

    start = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i + 1,), daemon=True) for i in range(concurrency)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + timeout + 5)
    elapsed = time.perf_counter() - start
    latencies.sort()
    return LoadResult(
        requests=len(latencies) + errors[0],
        errors=errors[0],
        seconds=round(elapsed, 3),
        rps=round(len(latencies) / elapsed, 2),
        p50_ms=round(statistics.median(latencies) * 1000, 3) if latencies else None,
        p99_ms=round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 3)
        if latencies
        else None,
        tool="python",
    )


#: A p99 is reported from this many samples on; below it the slowest answer (``max_ms``).
P99_MIN_SAMPLES = 100


def run_sequential(
    url: str,
    text: str,
    accept: str,
    *,
    first_s: float | None = None,
    min_samples: int = 5,
    min_seconds: float = 0.25,
    max_seconds: float = 3.0,
    max_samples: int = 500,
    count_first_over: float = 1.0,
    timeout: float = 30.0,
    form: bool = False,
) -> LoadResult:
    """Concurrency-1 latency of ``text``: sequential distinct requests under a sample budget.

    Samples are taken until there are ``min_samples`` of them and ``min_seconds`` have been
    spent, or ``max_seconds`` have been spent (at least one sample), or ``max_samples``.
    ``first_s`` is the caller's first (warm-up) answer: it counts as a sample when it took
    ``count_first_over`` seconds or more (warm-up effects are noise next to a second), and
    when it alone is over ``max_seconds`` it is the one sample and nothing is sent.
    """
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    text, content_type = as_body(text, form)
    times: list[float] = []
    if first_s is not None and first_s >= count_first_over:
        times.append(first_s)
    spent = sum(times)
    errors = 0
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    started = time.perf_counter()
    n = 0
    try:
        while (
            len(times) < max_samples
            and spent < max_seconds
            and (len(times) < min_samples or spent < min_seconds)
        ):
            n += 1
            start = time.perf_counter()
            try:
                status = _post(conn, path, text.replace(MARK, str(1_000_000_000 + n)), accept, content_type)
            except (OSError, http.client.HTTPException):
                errors += 1
                break  # a timeout: the caller saw the first answer, so the server is stuck
            took = time.perf_counter() - start
            spent += took
            if status != 200:
                errors += 1
                break
            times.append(took)
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    times.sort()
    enough = len(times) >= P99_MIN_SAMPLES
    return LoadResult(
        requests=len(times) + errors,
        errors=errors,
        seconds=round(elapsed, 3),
        rps=round(len(times) / spent, 2) if spent else 0.0,
        p50_ms=round(statistics.median(times) * 1000, 3) if times else None,
        p99_ms=round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 3) if enough else None,
        tool="sequential",
        max_ms=round(times[-1] * 1000, 3) if times else None,
    )


_LUA_LIST = r"""
local requests = {}
-- Formatted in init(): wrk.format takes the Host header from wrk.headers, set only then.
function init(args)
%(requests)s
end
local i = 0
function request()
  i = i %% #requests + 1
  return requests[i]
end
"""


@dataclass(frozen=True)
class Request:
    """One prepared HTTP request of a request list (``run_list``)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str = ""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_list(
    base_url: str, requests: list[Request], *, concurrency: int, seconds: float, timeout: float = 30.0
) -> LoadResult:
    """Load ``base_url`` with ``requests`` in turn (each connection cycles through the list).

    For workloads that are not one query text: dereferencing many resources (GET), or the
    same resources as ``DESCRIBE`` queries (POST). Needs wrk.
    """
    lines = []
    for n, req in enumerate(requests, 1):
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in req.headers)
        lines.append(
            f"  requests[{n}] = wrk.format({_lua_string(req.method)}, "
            f"{_lua_string(req.path)}, {{ {headers} }}, "
            f"{_lua_string(req.body) if req.body else 'nil'})"
        )
    script = _LUA_LIST % {"requests": "\n".join(lines)}
    return _run_wrk(script, base_url, concurrency, seconds, timeout)
