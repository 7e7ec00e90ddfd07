"""Real triple stores for the tests, on loopback: Oxigraph server and Virtuoso Open Source 7.

Each starts on free ports with a fresh database in a temporary folder and is stopped by
its process id. Oxigraph server comes from PyPI (``oxigraph``, in the ``test`` extra);
Virtuoso from Debian (``make stores`` installs ``virtuoso-opensource-7-bin``). A missing
one fails the test under CI and skips it elsewhere, saying how to install it.

Virtuoso is set up the way a deployment would be: its Graph Store endpoint
``/sparql-graph-crud-auth`` and SPARQL Update need a user (HTTP Digest); the fixture
creates one with a random password and grants it ``SPARQL_UPDATE``. Its anonymous
``/sparql`` stays read-only.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import pytest

from tests.helpers import LiveServer, free_port

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = Path("/usr/bin/isql-vt")
STORE_KINDS = ("oxigraph", "virtuoso")


@dataclass
class StoreServer:
    """A running store: its protocol endpoints, credentials (None: open) and process."""

    kind: str
    gsp_url: str
    query_url: str
    update_url: str
    process: subprocess.Popen[bytes]
    folder: Path
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """The environment that gives ``itugraph publish`` this store's credentials."""
        if self.user is None:
            return {}
        return {"ITUGRAPH_STORE_USER": self.user, "ITUGRAPH_STORE_PASSWORD": self.password or ""}

    def publish_args(self) -> list[str]:
        return ["--to", self.gsp_url, "--query-url", self.query_url]

    def select(self, sparql: str) -> list[dict[str, str]]:
        """Rows of a SELECT, read anonymously at the query endpoint (as a front end does)."""
        import json

        data = urllib.parse.urlencode({"query": sparql}).encode()
        request = urllib.request.Request(
            self.query_url, data=data, headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            bindings = json.loads(reply.read())["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in bindings]


def require(binary: Path, how: str) -> None:
    """Skip (fail under CI) when ``binary`` is missing."""
    if binary.is_file():
        return
    message = f"{binary} is missing: {how}"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def store_server(kind: str, tmp: Path) -> Iterator[StoreServer]:
    """A fresh store of ``kind`` (one of STORE_KINDS), stopped on exit."""
    starter = {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server}[kind]
    with starter(tmp) as server:
        yield server


@contextmanager
def oxigraph_server(tmp: Path) -> Iterator[StoreServer]:
    """``oxigraph serve`` with an on-disk store; GSP at /store, query /query, update /update."""
    require(OXIGRAPH, "pip install -e '.[test]' (PyPI oxigraph ships the oxigraph CLI)")
    folder = tmp / f"oxigraph-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = _spawn(
        [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",  # a query whose front end gave up stops here too
            "30",
        ],
        folder / "oxigraph.log",
    )
    server = StoreServer("oxigraph", f"{base}/store", f"{base}/query", f"{base}/update", process, folder)
    try:
        _wait_http(server, f"{base}/query?query=ASK%7B%7D")
        yield server
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


_VIRTUOSO_INI = Template("""\
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$sql_port
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 0
DirsAllowed = .
ThreadsPerQuery = 2
MaxClientConnections = 10

[HTTPServer]
ServerPort = 127.0.0.1:$http_port
ServerRoot = $dir
MaxClientConnections = 10
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
""")


@contextmanager
def virtuoso_server(tmp: Path) -> Iterator[StoreServer]:
    """Virtuoso 7 with a temporary database, a writer user, GSP at /sparql-graph-crud-auth."""
    require(VIRTUOSO, "run `make stores` (installs Debian's virtuoso-opensource-7-bin as root)")
    require(ISQL, "run `make stores` (installs Debian's virtuoso-opensource-7-bin as root)")
    folder = tmp / f"virtuoso-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.substitute(dir=folder, sql_port=sql_port, http_port=http_port))
    process = _spawn([str(VIRTUOSO), "-c", str(ini), "+wait", "+foreground"], folder / "stdout.log")
    base = f"http://127.0.0.1:{http_port}"
    user, password = "itugraph", secrets.token_urlsafe(12)
    server = StoreServer(
        "virtuoso",
        f"{base}/sparql-graph-crud-auth",
        f"{base}/sparql",
        f"{base}/sparql-auth",
        process,
        folder,
        user,
        password,
    )
    try:
        _wait_http(server, f"{base}/sparql?query=ASK%7B%7D")
        _isql(
            sql_port,
            folder,
            f"CREATE USER \"{user}\";\nUSER_SET_PASSWORD('{user}', '{password}');\n"
            f'GRANT SPARQL_UPDATE TO "{user}";\n',
        )
        yield server
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def _isql(port: int, folder: Path, script: str) -> None:
    path = folder / "setup.sql"
    path.write_text(script)
    done = subprocess.run(
        [str(ISQL), str(port), "dba", "dba", str(path)], capture_output=True, timeout=60, check=False
    )
    if done.returncode != 0 or b"*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql failed: {(done.stdout + done.stderr).decode(errors='replace')}")


def _spawn(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_http(server: StoreServer, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.kind} exited early: {_logs(server.folder)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{server.kind} not ready after {timeout} s: {_logs(server.folder)}")


def _logs(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-2000:] for p in folder.glob("*.log"))


def stop(server: StoreServer) -> None:
    """Stop the store (its process group, by id); its database stays until the fixture ends."""
    process = server.process
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@contextmanager
def server_over_store(
    kind: str, root: Path, tmp: Path, settings: dict[str, object]
) -> Iterator[tuple[LiveServer, StoreServer]]:
    """The project at ``root`` published to a fresh store of ``kind``, and a live itugraph
    front end (``--backend sparql``) reading it anonymously, as a deployment would."""
    from tests.helpers import live_server, run_cli

    with store_server(kind, tmp) as store:
        done = run_cli("--root", root, "publish", *store.publish_args(), "--grace", "0", env=store.env())
        if done.returncode != 0:
            raise RuntimeError(f"publish to {kind} failed:\n{done.stderr}")
        env = {f"ITUGRAPH_{name}": str(value) for name, value in settings.items()}
        env |= {"ITUGRAPH_BACKEND": "sparql", "ITUGRAPH_QUERY_URL": store.query_url}
        with live_server(root, tmp, env=env) as server:
            yield server, store


HAPROXY = Path("/usr/sbin/haproxy")

_HAPROXY_CFG = Template("""\
global
    maxconn 256
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 503
frontend itugraph
    bind 127.0.0.1:$port
    default_backend front_ends
backend front_ends
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
$servers
""")


@contextmanager
def haproxy(front_ends: list[LiveServer], tmp: Path) -> Iterator[str]:
    """HAProxy on a free port balancing over ``front_ends`` (checks on ``/readyz``, a failed
    or 503 answer retried on another front end); yields its URL."""
    require(HAPROXY, "run `make stores` (installs Debian's haproxy as root)")
    port = free_port()
    servers = "\n".join(
        f"    server fe{i} {fe.url.removeprefix('http://')} check inter 300ms fall 1 rise 2"
        for i, fe in enumerate(front_ends)
    )
    config = tmp / f"haproxy-{port}.cfg"
    config.write_text(_HAPROXY_CFG.substitute(port=port, servers=servers))
    process = _spawn([str(HAPROXY), "-f", str(config), "-db"], tmp / f"haproxy-{port}.log")
    url = f"http://127.0.0.1:{port}"
    balancer = StoreServer("haproxy", url, url, url, process, tmp)
    try:
        _wait_http(balancer, f"{url}/readyz")
        yield url
    finally:
        stop(balancer)
