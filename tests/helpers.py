"""Shared test helpers: the CLI and the app in-process, or the real CLI in a subprocess and the
real server over HTTP."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from itugraph.build import Build
    from itugraph.project import Project

REPO = Path(__file__).resolve().parent.parent

#: For a test whose time is a pure-Python reference engine's (pyshacl, owlrl): under
#: ``make unit`` it runs untraced by coverage (pytest-cov's ``no_cover``), as tracing doubles
#: those engines' time. The itugraph code such a test reaches, other tests cover.
REFERENCE_ENGINE = pytest.mark.no_cover
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_fixture(name: str, target: Path) -> Path:
    """A writable copy of a fixture project (so its cache and edits stay in tmp)."""
    dest = target / name
    shutil.copytree(FIXTURES / name, dest)
    return dest


def run_cli(
    *args: str | Path, cwd: Path | None = None, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m itugraph ARGS`` as a user would, capturing output."""
    return subprocess.run(
        [sys.executable, "-m", "itugraph", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


class CliRun(NamedTuple):
    """What one CLI run gave: unpacks as ``(returncode, stdout, stderr)``."""

    returncode: int
    stdout: str
    stderr: str


#: The ``cli`` fixture: ``cli("--root", root, "validate")`` runs ``itugraph.cli.main`` in-process.
Cli = Callable[..., CliRun]


def run_main(*args: str | Path) -> CliRun:
    """``itugraph ARGS`` in this process: :func:`itugraph.cli.main` with its output captured.

    stdout and stderr are captured as text and as bytes (``sys.stdout.buffer``: ``export``
    and ``query`` write bytes) and decoded as ``run_cli`` decodes a subprocess's output
    (UTF-8, universal newlines). Log records reach stderr as under ``main``'s own
    ``logging.basicConfig`` (which pytest's log handlers make a no-op in-process).
    argparse's exits (a bad choice, ``--version``) are exit codes, as in a process.
    """
    from itugraph.cli import main

    out, err = _capture(), _capture()
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as exit_:
                code = _exit_code(exit_.code, err)
    finally:
        root.removeHandler(handler)
    return CliRun(code, _decoded(out), _decoded(err))


def _capture() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _decoded(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer.getvalue()  # type: ignore[attr-defined]
    return str(raw.decode("utf-8")).replace("\r\n", "\n").replace("\r", "\n")


def _exit_code(code: object, err: io.TextIOWrapper) -> int:
    """The status ``SystemExit(code)`` gives a process (a message: printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=err)
    return 1


@contextmanager
def running_app(
    project: Project, settings: Mapping[str, Any], *, built: Build | None = None
) -> Iterator[Flask]:
    """The app ``create_app`` makes for ``project`` (over ``built``, its build, if given), its
    query workers stopped afterwards."""
    from itugraph.web import create_app

    app = create_app(project, settings, built=built)
    app.testing = True
    try:
        yield app
    finally:
        app.extensions["itugraph"].executor.close()


def call(
    client: FlaskClient,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> HttpReply:
    """One request to the app in-process, as :func:`http` would return it over HTTP
    (``path`` may carry a query string; the body is read whole, streamed or not)."""
    response = client.open(path, method=method, data=body, headers=headers or {})
    try:
        return HttpReply(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.get_data()
        )
    finally:
        response.close()


#: rdflib's own functions that :func:`shared_sparql_parses` wraps (set on first use).
RDFLIB_PARSING: dict[str, Any] = {}


@contextmanager
def shared_sparql_parses() -> Iterator[None]:
    """rdflib parses each SPARQL text (with its prefixes and base) once in this process.

    The validation tests run the same few dozen SHACL-SPARQL texts over and over: pyshacl
    sends each ``sh:select`` as a string per focus node (the real graph: 707 queries, 21
    texts; ~40% of a pyshacl run is rdflib parsing them again), and the SPARQL engine asks
    rdflib for each constraint's algebra to decide whether it may be batched, on every
    validation (~60% of validating a small graph). Here both get the prepared query of a
    text parsed before: evaluating a prepared query again is rdflib's own reuse path
    (``prepareQuery``), the evaluation and the batching decision still run every time, and
    a text that fails to parse is not kept (its error is raised anew).
    ``tests/validation/test_shared_parses.py`` checks that reports are unchanged.
    """
    from rdflib.plugins.sparql import processor

    from itugraph.validation import batching

    prepare, evaluate = processor.prepareQuery, processor.SPARQLProcessor.query
    RDFLIB_PARSING.setdefault("prepareQuery", prepare)
    RDFLIB_PARSING.setdefault("SPARQLProcessor.query", evaluate)
    prepared: dict[tuple[object, ...], Any] = {}

    def prepare_once(
        text: str,
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 - rdflib's
        base: str | None = None,
    ) -> Any:
        key = (text, tuple(sorted((initNs or {}).items())), base)
        if key not in prepared:
            prepared[key] = prepare(text, initNs=initNs, base=base)
        return prepared[key]

    def query(
        self: Any,
        text_or_query: Any,
        initBindings: Any = None,  # noqa: N803 - rdflib's names
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Any:
        if isinstance(text_or_query, str):
            text_or_query = prepare_once(text_or_query, initNs, base)
        return evaluate(self, text_or_query, initBindings, initNs, base, DEBUG)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batching, "prepareQuery", prepare_once)
        patch.setattr(processor.SPARQLProcessor, "query", query)
        yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def live_server(
    root: Path,
    tmp: Path,
    *,
    env: dict[str, str] | None = None,
    startup_timeout: float = 300,
    wait_for: str = "/readyz",
) -> Iterator[LiveServer]:
    """Start ``itugraph serve`` on a free port and wait until ``wait_for`` answers 200
    (``/healthz`` for a server that is up but not ready)."""
    port = free_port()
    log_path = tmp / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "itugraph",
                "--root",
                str(root),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_ready(server, startup_timeout, wait_for)
        yield server
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers (a test may have stopped it)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_ready(server: LiveServer, timeout: float, path: str = "/readyz") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout} s:\n{server.log()}")


@dataclass
class HttpReply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> object:
        import json

        return json.loads(self.body)


def http(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> HttpReply:
    """One real HTTP request; errors are replies, not exceptions (we test their status)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return HttpReply(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
    except urllib.error.HTTPError as error:
        return HttpReply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


# --- headless Chromium for the browser tests --------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright. Missing, it fails under CI (``make unit`` installs
    it) and skips elsewhere."""
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium as root)"
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- a listener standing for any URL, to prove nothing is fetched -------------------------------


class Listener:
    """A local TCP port that counts connections: point a URL at it, then check no one came.

    A context manager (closed on exit); ``url`` is ``http://127.0.0.1:PORT``.
    """

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *_: object) -> None:
        self.socket.close()


# --- a full disk ------------------------------------------------------------------------------


@contextmanager
def full_disk(folder: Path, *, size: str = "1m") -> Iterator[Path]:
    """A small tmpfs mounted at ``folder`` (created), for a test to fill with :func:`fill_disk`
    after writing what it needs first. Skips the test where mounting is not allowed (root
    only; the test containers run as root)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill (needs root): {mounted.stderr.decode(errors='replace')}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_disk(folder: Path) -> None:
    """Write zeros into ``folder`` until its file system has no byte left."""
    with (folder / "filler").open("wb", buffering=0) as filler:  # nothing left to flush on close
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass
