"""A crawler over the whole linked-data site of the ITU graph, from ``/id/``: every HTML
page of every kind is fetched, and every link on every page resolves (no 404, no 500).

Links into surfaces other modules serve (``/def/``, ``/dumps/``, VoID) are held to the
same rule once those surfaces answer at their root; the ``why?`` links (``/api/explain``)
and the RDF alternates are checked on a sample (every page has seven alternates)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.helpers import LiveServer, http
from tests.ld_servers import itu_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("itu_ld_crawl")]

HREF = re.compile(r'href="([^"]*)"')
#: Surfaces served by other modules: checked once their root answers.
OTHER_ROOTS = {"/def/": "/def/itu", "/dumps/": "/dumps/", "/.well-known/void": "/.well-known/void"}
SAMPLE = 40
#: What a browser sends.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with itu_server(tmp_path_factory.mktemp("ld-crawl")) as live:
        yield live


def _links(page: str) -> list[str]:
    return [unescape(h) for h in HREF.findall(page)]


def test_every_link_of_every_page_resolves(server: LiveServer) -> None:
    live_roots = {
        prefix for prefix, root in OTHER_ROOTS.items() if http("GET", server.url + root).status != 404
    }
    seen: set[str] = set()
    frontier = ["/id/", "/graph/asserted", "/graph/inferred", "/search?q=itu"]
    statuses: dict[str, int] = {}
    kinds_of_pages: set[str] = set()
    others: set[str] = set()
    sampled: list[str] = []
    explained: set[str] = set()

    def fetch(path: str) -> tuple[str, int, str]:
        reply = http("GET", server.url + path, headers={"Accept": BROWSER_ACCEPT})
        html = reply.headers.get("content-type", "").startswith("text/html")
        return path, reply.status, reply.text if html and reply.status == 200 else ""

    with ThreadPoolExecutor(4) as pool:
        while frontier:
            batch = [p for p in dict.fromkeys(frontier) if p not in seen]
            seen.update(batch)
            frontier = []
            for path, status, text in pool.map(fetch, batch):
                statuses[path] = status
                if path.startswith("/id/") and path.count("/") >= 3 and not path.endswith("/"):
                    kinds_of_pages.add(path.split("/")[2])
                for link in _links(text):
                    target, _ = urldefrag(link)
                    parts = urlsplit(target)
                    if parts.scheme or parts.netloc or not target:
                        continue  # the IRI itself, the UN's page: not ours to check
                    if target.startswith("/api/explain"):
                        if len(explained) < SAMPLE:
                            explained.add(target)
                        continue
                    if re.search(r"\.(ttl|jsonld|nt|rdf|trig|nq)(\?|$)", target):
                        if len(sampled) < SAMPLE and target not in sampled:
                            sampled.append(target)
                        continue
                    if any(target.startswith(p) for p in OTHER_ROOTS):
                        if any(target.startswith(p) for p in live_roots):
                            others.add(target)
                        continue
                    if target.startswith(("/id/", "/resource", "/graph/", "/search")):
                        frontier.append(target)
                    else:
                        others.add(target)  # /, /sparql, static files
        checked = dict(
            zip(
                sorted(others | set(sampled) | explained),
                [s for _, s, _ in pool.map(fetch, sorted(others | set(sampled) | explained))],
                strict=True,
            )
        )
    broken = {p: s for p, s in {**statuses, **checked}.items() if s >= 400}
    assert not broken, f"{len(broken)} broken links, e.g. {sorted(broken.items())[:20]}"
    assert len(statuses) > 500, "the crawl should reach every resource"
    for kind in ("sector", "study-group", "question", "wsis-action-line", "source"):
        assert kind in kinds_of_pages
    assert any(p.startswith("/resource?iri=http%3A%2F%2Fmetadata.un.org") for p in statuses)
    assert any(p.startswith("/api/explain") for p in checked)
