"""Time to interactive of the home page and each view (issue 16), in headless Chromium.

``python -m bench.views [--root DIR] [--runs N]`` starts ``itugraph serve`` over a project
(default: the ITU graph), opens each page ``N`` times in a fresh browser context (empty HTTP
cache) and reads the Performance API: ``domInteractive`` of the navigation entry, and the
``itugraph-ready`` mark a view sets once its data is fetched and its chart drawn (the home
page has no script: its figure is ``loadEventEnd``). The target is 1 s on the real graph.
Needs Debian's Chromium (``make browser``) and Playwright (the ``test`` extra).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import say
from bench.procs import PY, kill, spawn
from bench.servers import free_port

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
#: The pages measured, with the resource page whose neighbourhood graph is the largest hub.
PAGES = (
    "/",
    "/views/org-chart",
    "/views/wsis-sdg",
    "/views/unit-sdg",
    "/views/unit-sdg?level=target",
    "/views/gaps",
    "/views/timeline",
    "/id/sector/itu-t",
    "/id/organization/itu",
)
TARGET_MS = 1000.0
_TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const ready = performance.getEntriesByName("itugraph-ready")[0];
  return {interactive: nav.domInteractive, load: nav.loadEventEnd, ready: ready ? ready.startTime : null};
}"""


@dataclass
class PageTiming:
    """The runs of one page, in milliseconds from navigation start."""

    path: str
    interactive: list[float]
    ready: list[float]

    def row(self) -> str:
        ready = statistics.median(self.ready)
        verdict = "met" if ready <= TARGET_MS else "missed"
        return (
            f"| `{self.path}` | {statistics.median(self.interactive):.0f} | {ready:.0f} | "
            f"{max(self.ready):.0f} | {verdict} |"
        )


def measure(browser: Any, base: str, path: str, runs: int) -> PageTiming:
    timing = PageTiming(path, [], [])
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base + path, wait_until="load")
        if path != "/":
            page.wait_for_selector("#view[data-ready=true]", timeout=60_000)
        figures = page.evaluate(_TIMINGS)
        timing.interactive.append(figures["interactive"])
        timing.ready.append(figures["ready"] if figures["ready"] is not None else figures["load"])
        context.close()
    return timing


def _wait_ready(base: str, cap: float) -> None:
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"itugraph serve not ready within {cap:g} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.views", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the project served (default: the ITU graph)")
    parser.add_argument("--runs", type=int, default=5, help="page loads per page (default 5)")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"bench.views: {CHROMIUM} is missing (make browser); no figures", file=sys.stderr)
        return 0
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        say(f"views: serving {args.root}")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [
            PY,
            "-m",
            "itugraph",
            "--root",
            str(args.root),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        server = spawn(command, log=Path(tmp) / "serve.log")
        try:
            _wait_ready(base, 600)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                measure(browser, base, "/views/org-chart", 1)  # warm the server's caches once
                timings = [measure(browser, base, path, args.runs) for path in PAGES]
                browser.close()
        finally:
            kill(server)
    target = f"{TARGET_MS:.0f}"
    print(f"\nTime to interactive, headless Chromium, {args.runs} loads per page (ms; target {target}):\n")
    print("| page | DOM interactive (median) | drawn and usable (median) | drawn (max) | 1 s target |")
    print("|---|---:|---:|---:|---|")
    for timing in timings:
        print(timing.row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
