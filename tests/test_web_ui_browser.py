"""The query page in a real browser: Debian's Chromium, headless, driven by Playwright.

Against the real server over the tiny fixture: the page loads YASGUI from our own origin
only, every named query is a tab, an example runs and the result table shows the rows the
named-query API gives. A screenshot is saved to ``test-artifacts/``.

Chromium comes from Debian (``make browser``); Playwright never downloads a browser here.
Without ``/usr/bin/chromium`` (or without ``make ui``) these tests fail under ``CI=true``
and are skipped elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, LiveServer, headless_chromium, http
from tests.test_web_ui import require_built_ui

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("tiny_server"),
]  # one live server under xdist

ARTIFACTS = REPO / "test-artifacts"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium under Playwright, shared by this module's tests."""
    require_built_ui()
    with headless_chromium() as browser:
        yield browser


@dataclass
class PageWatch:
    """What a page did besides rendering: requests, console errors, uncaught exceptions."""

    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if not url.startswith(self.origin + "/") and not url.startswith("data:")
        ]


@pytest.fixture
def page(chromium: Any, tiny_server: LiveServer) -> Iterator[tuple[Any, PageWatch]]:
    """A fresh browser context (empty localStorage) on the query page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = PageWatch(tiny_server.url)
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on(
        "console", lambda msg: watch.errors.append(f"console: {msg.text}") if msg.type == "error" else None
    )
    page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    page.goto(tiny_server.url + "/query")
    page.wait_for_selector(".yasgui .tabPanel.active .CodeMirror")
    try:
        yield page, watch
    finally:
        context.close()


def run_active_tab(page: Any) -> list[list[str]]:
    """Click the active tab's run button; the result table's rows, cell texts without the row number."""
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr td:nth-child(2)")
    rows: list[list[str]] = page.eval_on_selector_all(
        ".tabPanel.active .yasr table.dataTable tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td')].slice(1).map(td => td.innerText.trim()))",
    )
    return rows


def api_rows(server: LiveServer, name: str) -> list[dict[str, str]]:
    answer = http("GET", f"{server.url}/api/queries/{name}?format=json").json()
    assert isinstance(answer, dict)
    return [{var: term["value"] for var, term in row.items()} for row in answer["results"]["bindings"]]


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, "the screenshot is suspiciously small"
    return path


def test_page_loads_with_examples_as_tabs_and_runs_one(
    page: tuple[Any, PageWatch], tiny_server: LiveServer
) -> None:
    browser_page, watch = page
    listing = http("GET", tiny_server.url + "/api/queries").json()
    assert isinstance(listing, list)
    tabs = browser_page.eval_on_selector_all(
        ".yasgui .tabsList .tab a > span", "spans => spans.map(s => s.textContent)"
    )
    assert tabs == [q["title"] for q in listing]
    assert browser_page.inner_text(".yasgui .tab.active a > span") == listing[0]["title"]
    endpoint = browser_page.input_value(".tabPanel.active .controlbar input")
    assert endpoint == tiny_server.url + "/sparql"

    rows = run_active_tab(browser_page)
    # 01-units with its default org: the sector directly, the study group through it
    # (ex:partOf is transitive and ex:unitOf a sub-property: the inferred graph answers).
    assert rows == [
        ["<http://example.org/id/org>", "<http://example.org/id/group>", '"A study group"@en'],
        ["<http://example.org/id/org>", "<http://example.org/id/sector>", '"A sector"@en'],
    ]
    expected = api_rows(tiny_server, listing[0]["name"])
    assert [(f"<{r['org']}>", f"<{r['unit']}>") for r in expected] == [tuple(r[:2]) for r in rows]
    assert "2 results" in browser_page.inner_text(".tabPanel.active .yasr")
    screenshot(browser_page, "query-ui.png")
    assert watch.foreign_requests() == []
    assert watch.errors == []


def test_header_example_link_opens_its_tab(page: tuple[Any, PageWatch], tiny_server: LiveServer) -> None:
    browser_page, watch = page
    browser_page.click(".ig-examples summary")
    browser_page.click("[data-example='02-goals-served']")
    browser_page.wait_for_selector(".yasgui .tab.active >> text=Goals each unit serves")
    rows = run_active_tab(browser_page)
    # Through the property chain serves∘broader, the group also serves the target's goal.
    assert rows == [
        ["<http://example.org/id/group>", "<http://example.org/id/goal-1>"],
        ["<http://example.org/id/group>", "<http://example.org/id/target-1>"],
    ]
    assert len(rows) == len(api_rows(tiny_server, "02-goals-served"))
    # The link opened the existing tab rather than a duplicate.
    assert browser_page.locator(".yasgui .tabsList .tab").count() == 2
    screenshot(browser_page, "query-ui-goals.png")
    assert watch.foreign_requests() == []
    assert watch.errors == []


def test_new_tab_starts_with_our_prefixes(page: tuple[Any, PageWatch]) -> None:
    browser_page, watch = page
    browser_page.click(".yasgui button.addTab")
    browser_page.wait_for_selector(".yasgui .tab.active >> text=Query")
    text = browser_page.eval_on_selector(".tabPanel.active .CodeMirror", "el => el.CodeMirror.getValue()")
    assert text.startswith("PREFIX itu: <https://w3id.org/itugraph/def/itu#>\n")
    assert "PREFIX ituid: <https://w3id.org/itugraph/id/>" in text
    rows = run_active_tab(browser_page)
    # Results are shown with our prefixes.
    assert ["owl:Class", '"3"^^xsd:integer'] in rows
    assert watch.foreign_requests() == []
    assert watch.errors == []


def test_the_query_page_runs_under_a_policy_that_blocks_inline_script(
    page: tuple[Any, PageWatch], tiny_server: LiveServer
) -> None:
    """The page works (previous tests: no console error, so no CSP violation) under a policy
    that a script injected into it cannot pass: the browser refuses to run it."""
    browser_page, watch = page
    policy = http("GET", tiny_server.url + "/").headers["content-security-policy"]
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert script_src == "script-src 'self'"
    ran = browser_page.evaluate(
        """() => {
            const injected = document.createElement("script");
            injected.textContent = "window.injectedRan = true";
            document.body.appendChild(injected);
            const link = document.createElement("a");
            link.href = "javascript:window.linkRan = true";
            document.body.appendChild(link);
            link.click();
            return [window.injectedRan === true, window.linkRan === true];
        }"""
    )
    assert ran == [False, False]
    assert any("Content Security Policy" in error for error in watch.errors)
    assert len(run_active_tab(browser_page)) == 2  # the page still runs queries
