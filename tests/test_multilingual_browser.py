"""Pages in the reader's language in a real browser (Debian's Chromium, headless, via
Playwright, with Debian's Noto fonts): a French, a Russian, a Chinese and an Arabic page,
the Arabic one right to left with its navigation mirrored; screenshots in
``test-artifacts/``."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import REPO, LiveServer, headless_chromium
from tests.ld_servers import itu_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("itu_ld_browser")]

ARTIFACTS = REPO / "test-artifacts"


def _has_fonts(language: str) -> bool:
    """Whether fontconfig knows a font for ``language`` (Debian's fonts-noto-core/-cjk)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, f":lang={language}", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with itu_server(tmp_path_factory.mktemp("ld-multilingual-browser")) as live:
        yield live


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    for language in ("ar", "zh-cn"):
        if not _has_fonts(language):
            message = f"no font for {language}: run `make browser` (installs fonts-noto-core, fonts-noto-cjk)"
            if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
                pytest.fail(message)
            pytest.skip(message)
    with headless_chromium() as browser:
        yield browser


def _page(chromium: Any, server: LiveServer, path: str, locale: str, shot: str) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(server.url + path)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    assert (ARTIFACTS / shot).stat().st_size > 5_000
    return context, page, problems


@pytest.mark.parametrize(
    ("path", "locale", "lang", "name", "shot"),
    [
        ("/id/sector/itu-r", "fr-FR", "fr", "Secteur des radiocommunications", "ml-fr-itu-r.png"),
        ("/id/organization/itu", "ru-RU", "ru", "Международный союз электросвязи", "ml-ru-itu.png"),
        ("/id/governing-body/wrc", "zh-CN", "zh", "世界无线电通信大会", "ml-zh-wrc.png"),
    ],
)
def test_page_in_the_readers_language(
    chromium: Any, server: LiveServer, path: str, locale: str, lang: str, name: str, shot: str
) -> None:
    context, page, problems = _page(chromium, server, path, locale, shot)
    try:
        heading = page.locator("h1")
        assert heading.inner_text().strip() == name
        assert heading.get_attribute("lang") == lang
        assert page.evaluate("getComputedStyle(document.documentElement).direction") == "ltr"
        assert problems == []
    finally:
        context.close()


def test_arabic_page_is_right_to_left_with_mirrored_navigation(chromium: Any, server: LiveServer) -> None:
    context, page, problems = _page(chromium, server, "/id/sector/itu-d", "ar", "ml-ar-itu-d-rtl.png")
    try:
        assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
        heading = page.locator("h1")
        assert heading.inner_text().strip() == "قطاع تنمية الاتصالات"
        # the heading is set from the right edge of the page
        box = heading.bounding_box()
        assert box is not None and box["x"] + box["width"] > 1280 / 2
        # the site navigation runs right to left: its first item sits right of its last
        items = page.locator("nav[aria-label=Site] > ul > li")
        first, last = items.first.bounding_box(), items.last.bounding_box()
        assert first is not None and last is not None and first["x"] > last["x"]
        # the Arabic glyphs render (a font covers them): the text has a real width
        assert box["width"] > 100
        current = page.locator(".ld-languages a[aria-current=true]")
        assert current.get_attribute("lang") == "ar"
        assert problems == []
    finally:
        context.close()


def test_language_switch_is_remembered_in_the_browser(chromium: Any, server: LiveServer) -> None:
    context, page, problems = _page(chromium, server, "/id/sector/itu-t", "en-GB", "ml-switch-before.png")
    try:
        page.locator(".ld-languages a[lang=es]").click()
        page.wait_for_load_state()
        assert page.locator("h1").get_attribute("lang") == "es"
        page.goto(server.url + "/id/bureau/tsb")  # no ?lang=: the cookie remembers Spanish
        assert page.locator("h1").inner_text().strip() == "Oficina de Normalización de las Telecomunicaciones"
        page.screenshot(path=str(ARTIFACTS / "ml-switch-after.png"), full_page=True)
        assert problems == []
    finally:
        context.close()
