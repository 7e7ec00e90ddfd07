"""nginx as the HTTP cache in front of itugraph, with the configuration the docs give.

The linked-data documents say they may be cached (``Cache-Control: public``, a strong ETag,
``Vary``); a deployment behind nginx (docs/deploy-linked-data.md) then answers repeated
requests from nginx's cache without reaching Python. The ``deref`` step measures that
deployment next to the bare server, and ``tests/test_nginx_cache.py`` checks that the cache
keeps the server's answers apart as its ``Vary`` says. Both start nginx from the one file
users copy, ``docs/deploy/nginx-cache.conf``, so the tested configuration is the documented one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import kill, spawn

#: The configuration users copy; ``@NAME@`` placeholders are filled here.
TEMPLATE = Path(__file__).resolve().parent.parent / "docs" / "deploy" / "nginx-cache.conf"
NGINX = "/usr/sbin/nginx"


def available() -> bool:
    """Whether nginx is installed (``make stores`` installs Debian's ``nginx-light``)."""
    return Path(NGINX).is_file() or shutil.which("nginx") is not None


def render(*, listen: str, upstream: str, run: Path, workers: str = "auto") -> str:
    """The documented configuration with its placeholders filled."""
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {"LISTEN": listen, "UPSTREAM": upstream, "RUN": str(run), "WORKERS": workers}.items():
        text = text.replace(f"@{name}@", value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError(f"{TEMPLATE}: a placeholder was left unfilled")
    return text


@dataclass
class Nginx:
    """A running nginx; ``url`` is its base (no trailing slash)."""

    url: str
    proc: subprocess.Popen[bytes]
    run: Path

    def stop(self) -> None:
        kill(self.proc)


def start(upstream: str, run: Path, *, port: int, workers: str = "auto", wait_s: float = 10) -> Nginx:
    """nginx on 127.0.0.1:``port`` in front of ``upstream`` (host:port), its files in ``run``."""
    run.mkdir(parents=True, exist_ok=True)
    conf = run / "nginx.conf"
    text = render(listen=f"127.0.0.1:{port}", upstream=upstream, run=run, workers=workers)
    if os.geteuid() == 0:
        # Started by root, nginx runs its workers as ``nobody``, who may not enter a private
        # temporary directory (pytest's are 0700): a loopback test keeps them as root.
        text = "user root;\n" + text
    conf.write_text(text, encoding="utf-8")
    binary = NGINX if Path(NGINX).is_file() else (shutil.which("nginx") or NGINX)
    proc = spawn([binary, "-c", str(conf), "-p", str(run)], log=run / "nginx.out")
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = (run / "nginx.out").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"nginx exited with {proc.returncode}: {said}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return Nginx(f"http://127.0.0.1:{port}", proc, run)
        time.sleep(0.05)
    kill(proc)
    raise TimeoutError(f"nginx did not listen on port {port} within {wait_s} s")
