"""The interactive views (issue 16) in a real browser: Debian's Chromium under Playwright,
against ``itugraph serve`` over the real ITU graph.

Each view draws as many nodes, cells or marks as its named query returns (fetched here from
the same ``/api/queries`` the page uses), a click opens the right resource page, the study
period switch changes the organisation chart, downloads give files, Tab reaches every
control, and axe-core (vendored from npm by ``make ui``) finds no serious or critical
violation. Screenshots go to ``test-artifacts/views/``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, LiveServer, headless_chromium, http
from tests.ld_servers import itu_server
from tests.test_web_ui import require_built_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("itu_views_browser")]

ARTIFACTS = REPO / "test-artifacts" / "views"
ID = "https://w3id.org/itugraph/id/"
PAGES = ["/", "/views/org-chart", "/views/wsis-sdg", "/views/unit-sdg", "/views/gaps", "/views/timeline"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with itu_server(tmp_path_factory.mktemp("views")) as live:
        yield live


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    require_built_ui()
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


def rows_of(server: LiveServer, name: str, **params: str) -> list[dict[str, str]]:
    query = "&".join(f"{k}={v}" for k, v in {"format": "csv", **params}.items())
    reply = http("GET", f"{server.url}/api/queries/{name}?{query}")
    assert reply.status == 200
    return list(csv.DictReader(io.StringIO(reply.text)))


def node_point(page: Any, view: str, iri: str) -> dict[str, float]:
    """Where a Cytoscape node is on the screen, its chart scrolled into view and centred on it
    (Cytoscape finds the node under a click from the container's position after scrolling)."""
    page.locator("[data-chart]").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    return page.evaluate(  # type: ignore[no-any-return]
        f"iri => {{ const cy = window.itugraphViews.{view}(); const n = cy.getElementById(iri);"
        " cy.center(n); const p = n.renderedPosition(); const box = cy.container().getBoundingClientRect();"
        " return {x: box.left + p.x, y: box.top + p.y}; }",
        iri,
    )


def open_view(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url + path)
    page.wait_for_selector("#view[data-ready=true]")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_home_starts_with_the_graph(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    assert page.locator("#home-q").is_visible()
    for path in (
        "/views/org-chart",
        "/views/wsis-sdg",
        "/views/unit-sdg",
        "/views/gaps",
        "/views/timeline",
        "/query",
    ):
        assert page.locator(f'main a[href="{path}"]').count() >= 1, path
    units = page.locator(".iv-figures li").first.inner_text()
    assert units.split()[0] == "3" and "sectors" in units
    page.fill("#home-q", "Q7/17")
    page.click(".iv-home-search button")
    page.wait_for_url("**/search?q=*")
    assert page.locator('a[href^="/id/question/"]').count() >= 1
    shot(page, "home")


def test_old_query_page_links_redirect(server: LiveServer) -> None:
    reply = http("GET", server.url + "/?query=SELECT%201")
    assert reply.status == 200  # followed: the query page
    assert 'id="yasgui"' in reply.text or 'id="ui-not-built"' in reply.text


def test_org_chart_nodes_period_switch_and_click(page: Any, server: LiveServer) -> None:
    rows = rows_of(server, "28-organisation-chart")
    current = [r for r in rows if r["current"] != "false"]
    open_view(page, server, "/views/org-chart?expanded=all")
    assert int(page.get_attribute("#view", "data-nodes")) == len(current)
    page.select_option('[data-control="period"]', "previous")
    previous = [r for r in rows if r["current"] != "true"]
    assert int(page.get_attribute("#view", "data-nodes")) == len(previous)
    assert "period=previous" in page.url
    page.select_option('[data-control="period"]', "all")
    assert int(page.get_attribute("#view", "data-nodes")) == len(rows)
    shot(page, "org-chart")
    # A click on a node of the canvas opens its page.
    target = ID + "sector/itu-t"
    point = node_point(page, "orgChart", target)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/id/sector/itu-t")


def test_org_chart_tree_collapses_and_search_finds(page: Any, server: LiveServer) -> None:
    open_view(page, server, "/views/org-chart")
    before = int(page.get_attribute("#view", "data-nodes"))
    page.click('[data-action="collapse-all"]')
    assert int(page.get_attribute("#view", "data-nodes")) < before
    page.fill('[data-control="find"]', "SG17")
    assert "q=sg17" in page.evaluate("() => location.href")
    matched = page.evaluate("() => window.itugraphViews.orgChart().nodes('.match').map(n => n.id())")
    assert ID + "study-group/itu-t-sg17-2025-2028" in matched


@pytest.mark.parametrize(
    ("path", "name", "expected"),
    [
        ("/views/wsis-sdg", "29-wsis-sdg-heatmap", None),
        ("/views/unit-sdg", "30-unit-sdg-heatmap", "goal"),
        ("/views/unit-sdg?level=target", "30-unit-sdg-heatmap", "target"),
    ],
)
def test_heatmap_has_a_cell_per_row_and_evidence(
    page: Any, server: LiveServer, path: str, name: str, expected: str | None
) -> None:
    rows = rows_of(server, name)
    if expected:
        rows = [r for r in rows if r["level"] == expected]
    row_key, col_key = ("unit", "sdg") if expected else ("actionLine", "goal")
    grid = len({r[row_key] for r in rows if r[row_key]}) * len({r[col_key] for r in rows})
    open_view(page, server, path)
    assert page.locator(".iv-cell").count() == grid == int(page.get_attribute("#view", "data-cells"))
    assert page.locator("[data-table] tbody td").count() == grid
    # Columns in the code order of the goals and targets, as the query orders them.
    codes = page.eval_on_selector_all("[data-table] thead th a", "links => links.map(a => a.textContent)")
    column_label = "code" if expected else "goalCode"
    assert codes == list(dict.fromkeys(r[column_label] for r in rows))
    shot(page, path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-"))
    if name.startswith("30"):
        cell = page.locator(
            f'.iv-cell[data-row="{ID}organization/itu"][data-col="http://metadata.un.org/sdg/9"]'
        )
        if expected == "target":
            cell = page.locator(
                f'.iv-cell[data-row="{ID}organization/itu"][data-col="http://metadata.un.org/sdg/9.c"]'
            )
        cell.click()
        details = page.locator("[data-details]")
        assert "9.c" in details.inner_text() or "C090c01" in details.inner_text()
        page.select_option('[data-control="metric"]', "direct")
        assert "metric=direct" in page.url
    # Keyboard: the first cell takes Tab focus; arrows move; Enter opens the evidence.
    page.locator(".iv-cell").first.focus()
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("() => document.activeElement.getAttribute('data-col')")
    assert focused == page.locator(".iv-cell").nth(1).get_attribute("data-col")
    page.keyboard.press("Enter")
    assert page.locator("[data-details]").is_visible()
    # A row label opens the row's resource page.
    first_row = page.locator(".iv-cell").first.get_attribute("data-row")
    page.locator(f'svg a[href="/{first_row.removeprefix("https://w3id.org/itugraph/")}"]').first.click()
    page.wait_for_url("**" + first_row.removeprefix("https://w3id.org/itugraph"))


def test_gaps_and_timeline(page: Any, server: LiveServer) -> None:
    targets = rows_of(server, "31-sdg-targets-without-itu")
    lines = rows_of(server, "32-action-lines-without-itu-role")
    open_view(page, server, "/views/gaps")
    assert int(page.get_attribute("#view", "data-line-count")) == len(lines)
    assert page.locator("[data-lines] tbody tr").count() == len(lines)
    assert int(page.get_attribute("#view", "data-bars")) == len({r["goal"] for r in targets})
    page.locator(".iv-bar").first.click()
    assert page.locator("[data-details] li").count() == sum(1 for r in targets if r["goalCode"] == "1")
    shot(page, "gaps")
    items = rows_of(server, "34-timeline")
    open_view(page, server, "/views/timeline")
    assert page.locator(".iv-mark").count() == len(items)
    page.fill('[data-control="from"]', "2020")
    page.dispatch_event('[data-control="from"]', "change")
    assert "from=2020" in page.url
    later = [r for r in items if int(r["endYear"]) >= 2020]
    assert page.locator(".iv-mark").count() == len(later)
    shot(page, "timeline")
    href = page.locator(".iv-mark").first.get_attribute("href")
    page.locator(".iv-mark").first.click()
    page.wait_for_url("**" + href)


def test_neighbourhood_graph_on_a_resource_page(page: Any, server: LiveServer) -> None:
    """Every link of query 33 is drawn (a property with more than 8 neighbours as one group
    node), a click on a node offers its page, and one more hop adds that neighbour's links."""
    centre = ID + "sector/itu-t"
    rows = rows_of(server, "33-neighbourhood", resource=centre)
    open_view(page, server, "/id/sector/itu-t")
    assert int(page.get_attribute("#view", "data-links")) == len(rows)
    groups: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        groups.setdefault((r["direction"], r["property"]), set()).add(r["neighbour"])
    single = {n for members in groups.values() if len(members) <= 8 for n in members}
    grouped = sum(1 for members in groups.values() if len(members) > 8)
    assert int(page.get_attribute("#view", "data-nodes")) == 1 + len(single) + grouped
    shot(page, "neighbourhood")
    secretariat = ID + "secretariat/general-secretariat"
    target = secretariat if secretariat in single else sorted(single)[0]
    point = node_point(page, "neighbourhood", target)
    page.mouse.click(point["x"], point["y"])
    link = page.locator("[data-details] h3 a")
    assert link.get_attribute("href") == "/" + target.removeprefix("https://w3id.org/itugraph/")
    # One hop more, by keyboard: the list of neighbours and the Expand button.
    hop = ID + "study-group/itu-t-sg17-2025-2028"
    more = rows_of(server, "33-neighbourhood", resource=hop)
    page.select_option('[data-control="hop"]', hop)
    page.focus('[data-action="expand"]')
    page.keyboard.press("Enter")
    total = len(rows) + len(more)
    page.wait_for_function(f"() => document.getElementById('view').dataset.links === '{total}'")
    assert "hops=" in page.evaluate("() => location.href")
    link.click()
    page.wait_for_url("**" + target.removeprefix("https://w3id.org/itugraph"))


def test_show_query_opens_the_query_page(page: Any, server: LiveServer) -> None:
    open_view(page, server, "/views/unit-sdg")
    page.click("[data-show-query]")
    page.wait_for_url("**/query?example=30-unit-sdg-heatmap")
    page.wait_for_selector(".yasgui .tabPanel.active .CodeMirror")
    text = page.evaluate("() => window.itugraphYasgui.getTab().getQuery()")
    assert "# title: ITU unit × SDG goal and target heatmap" in text
    # The neighbourhood's link opens query 33 bound to the page's resource.
    page.goto(server.url + "/id/sector/itu-t")
    page.click("[data-show-query]")
    page.wait_for_selector(".yasgui .tabPanel.active .CodeMirror")
    text = page.evaluate("() => window.itugraphYasgui.getTab().getQuery()")
    assert "VALUES (?resource) { (<https://w3id.org/itugraph/id/sector/itu-t>) }" in text


@pytest.mark.parametrize("path", [*PAGES[1:], "/id/sector/itu-t"])
def test_downloads(page: Any, server: LiveServer, path: str, tmp_path: Path) -> None:
    open_view(page, server, path)
    kinds = ["csv", "png"] + (["svg"] if page.locator('[data-action="download-svg"]').count() else [])
    for kind in kinds:
        with page.expect_download() as info:
            page.click(f'[data-action="download-{kind}"]')
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        data = saved.read_bytes()
        assert saved.suffix == "." + kind and len(data) > 100
        if kind == "png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
        if kind == "svg":
            assert b"<svg" in data[:400]
        if kind == "csv":
            assert len(data.decode("utf-8").splitlines()) >= 2


@pytest.mark.parametrize("path", PAGES)
def test_keyboard_reaches_every_control(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url + path)
    if path != "/":
        page.wait_for_selector("#view[data-ready=true]")
    wanted = page.evaluate(
        "() => Array.from(document.querySelectorAll('main button, main select, main input, main summary'))"
        ".filter(e => e.offsetParent !== null).map(e => e.outerHTML.slice(0, 80))"
    )
    reached: set[str] = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
        if set(wanted) <= reached:
            break
    assert set(wanted) <= reached, set(wanted) - reached


@pytest.mark.parametrize("path", [*PAGES, "/id/sector/itu-t"])
def test_axe_finds_no_serious_violation(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url + path)
    if path != "/":
        page.wait_for_selector("#view[data-ready=true]")
    page.add_script_tag(url="/static/vendor/axe.min.js")  # our origin: the CSP allows it
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not serious, json.dumps(serious, indent=1)


def test_views_on_a_phone(chromium: Any, server: LiveServer) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        for path in PAGES[1:]:
            open_view(page, server, path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
        shot(page, "timeline-phone")
    finally:
        context.close()


def test_views_work_under_a_script_src_self_policy(chromium: Any, server: LiveServer) -> None:
    """Every page is served here with ``Content-Security-Policy: script-src 'self'`` (as the
    deployment will): each view still draws, and the browser reports no violation."""
    context = chromium.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )

    def with_policy(route: Any) -> None:
        reply = route.fetch()
        headers = {**reply.headers, "content-security-policy": "script-src 'self'; object-src 'none'"}
        route.fulfill(response=reply, headers=headers)

    page.route("**/*", with_policy)
    try:
        for path in [*PAGES[1:], "/id/sector/itu-t"]:
            open_view(page, server, path)
        assert violations == []
    finally:
        context.close()
