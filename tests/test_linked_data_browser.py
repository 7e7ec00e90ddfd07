"""Linked-data pages in a real browser (Debian's Chromium, headless, via Playwright): a
resource page, a listing, the search and an SDG page in French, on a desktop and a phone
viewport; keyboard reachable, no request leaves our origin, no script error; screenshots
in ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.helpers import REPO, LiveServer, headless_chromium
from tests.ld_servers import itu_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("itu_ld_browser")]

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with itu_server(tmp_path_factory.mktemp("ld-browser")) as live:
        yield live


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with headless_chromium() as browser:
        yield browser


def _visit(
    chromium: Any, server: LiveServer, path: str, shot: str, *, locale: str = "en-GB", width: int = 1280
) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale=locale)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "request",
        lambda r: (
            problems.append(f"foreign request {r.url}")
            if not r.url.startswith(server.url + "/") and not r.url.startswith("data:")
            else None
        ),
    )
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(server.url + path)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    assert (ARTIFACTS / shot).stat().st_size > 5_000
    return context, page, problems


def test_resource_page(chromium: Any, server: LiveServer) -> None:
    context, page, problems = _visit(chromium, server, "/id/wsis-action-line/C5", "ld-resource-c5.png")
    try:
        assert page.locator("h1").inner_text().strip()
        assert page.locator("h2", has_text="Statements").count() == 1
        assert page.locator("th[scope=col]").count() > 0
        assert page.locator(".ld-inferred a", has_text="why?").count() > 0
        page.keyboard.press("Tab")  # the skip link comes first
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        assert problems == []
    finally:
        context.close()


def test_resource_page_on_a_phone(chromium: Any, server: LiveServer) -> None:
    context, page, problems = _visit(chromium, server, "/id/sector/itu-t", "ld-resource-phone.png", width=375)
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
        assert problems == []
    finally:
        context.close()


def test_listing_and_search(chromium: Any, server: LiveServer) -> None:
    context, page, problems = _visit(chromium, server, "/id/study-group/", "ld-listing.png")
    try:
        assert "resources" in page.locator("main p").first.inner_text()
        first = page.locator("main table tbody a").first
        first.click()
        page.wait_for_load_state()
        assert "/id/study-group/" in page.url and page.locator("h1").inner_text()
        page.fill("#ld-q", "securite")  # no accent: still finds "security"/"sécurité"
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=securite")
        assert page.locator("main table tbody tr").count() > 0
        page.screenshot(path=str(ARTIFACTS / "ld-search.png"), full_page=True)
        assert problems == []
    finally:
        context.close()


def test_sdg_page_in_french(chromium: Any, server: LiveServer) -> None:
    path = "/resource?iri=" + quote("http://metadata.un.org/sdg/9", safe="")
    context, page, problems = _visit(chromium, server, path, "ld-sdg-fr.png", locale="fr-FR")
    try:
        heading = page.locator("h1")
        assert heading.get_attribute("lang") == "fr"
        assert page.locator("a[href='http://metadata.un.org/sdg/9']").count() >= 1
        assert problems == []
    finally:
        context.close()
