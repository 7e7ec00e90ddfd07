"""itugraph behind nginx's HTTP cache, configured as docs/deploy/nginx-cache.conf says.

The documents tell caches what they may do (``Cache-Control: public``, a strong ETag, a
``Vary`` naming every request header they depend on). These tests start the real server and
the real nginx with the documented configuration and check that the cache answers repeated
requests itself and never gives one variant for another: each cached answer equals what the
server alone gives for the same request.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench import nginx
from tests.helpers import LiveServer, free_port
from tests.ld_servers import itu_server
from tests.stores import require

DOC = "/id/sector/itu-t"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, nginx.Nginx]]:
    require(Path(nginx.NGINX), "run `make stores` as root (Debian's nginx-light)")
    tmp = tmp_path_factory.mktemp("nginx")
    with itu_server(tmp) as server:
        proxy = nginx.start(urlsplit(server.url).netloc, tmp / "nginx", port=free_port(), workers="1")
        try:
            yield server, proxy
        finally:
            proxy.stop()


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _same_as_direct(servers: tuple[LiveServer, nginx.Nginx], path: str, **headers: str) -> dict[str, str]:
    """GET ``path`` twice through nginx and once directly: the second is a cache hit and all
    three answers carry the same status, type, ETag and body (links name the proxy's host)."""
    server, proxy = servers
    first = _get(proxy.url + path, **headers)
    second = _get(proxy.url + path, **headers)
    direct = _get(server.url + path, **headers)
    assert second[1].get("x-cache-status") == "HIT", (path, headers, second[1])
    for answer in (first, second):
        assert answer[0] == direct[0]
        for name in ("content-type", "etag", "vary", "cache-control"):
            assert answer[1].get(name) == direct[1].get(name), name
        assert answer[2] == direct[2].replace(server.url.encode(), proxy.url.encode())
    return second[1]


FORMATS = ["text/turtle", "application/ld+json", "application/n-triples", "text/html"]


@pytest.mark.parametrize("accept", FORMATS)
def test_each_format_is_cached_apart(servers: tuple[LiveServer, nginx.Nginx], accept: str) -> None:
    headers = _same_as_direct(servers, DOC, Accept=accept)
    assert headers["content-type"].startswith(accept)


def test_each_language_is_cached_apart(servers: tuple[LiveServer, nginx.Nginx]) -> None:
    pages = {}
    for language in ("es", "fr", "en"):
        _same_as_direct(servers, DOC, Accept="text/html", **{"Accept-Language": language})
        pages[language] = _get(servers[1].url + DOC, Accept="text/html", **{"Accept-Language": language})[2]
    assert b'lang="es"' in pages["es"] and b'lang="fr"' in pages["fr"]
    assert len(set(pages.values())) == 3


def test_the_remembered_language_is_cached_apart(servers: tuple[LiveServer, nginx.Nginx]) -> None:
    _same_as_direct(servers, DOC, Accept="text/html", Cookie="lang=fr", **{"Accept-Language": "en"})
    french = _get(servers[1].url + DOC, Accept="text/html", Cookie="lang=fr", **{"Accept-Language": "en"})[2]
    english = _get(servers[1].url + DOC, Accept="text/html", **{"Accept-Language": "en"})[2]
    assert french != english and b'lang="fr"' in french


def test_suffix_urls_and_gzip_are_cached_apart(servers: tuple[LiveServer, nginx.Nginx]) -> None:
    _same_as_direct(servers, DOC + ".ttl")
    _same_as_direct(servers, DOC + ".ttl", **{"Accept-Encoding": "gzip"})
    plain = _get(servers[1].url + DOC + ".ttl")
    zipped = _get(servers[1].url + DOC + ".ttl", **{"Accept-Encoding": "gzip"})
    assert plain[1].get("content-encoding") is None and zipped[1].get("content-encoding") == "gzip"


def test_a_cached_document_answers_304_to_its_etag(servers: tuple[LiveServer, nginx.Nginx]) -> None:
    etag = _same_as_direct(servers, DOC, Accept="text/turtle")["etag"]
    status, headers, body = _get(servers[1].url + DOC, Accept="text/turtle", **{"If-None-Match": etag})
    assert (status, body) == (304, b"")
    assert headers["etag"] == etag


def test_an_unknown_iri_stays_404(servers: tuple[LiveServer, nginx.Nginx]) -> None:
    for _ in range(2):
        status, _headers, _body = _get(servers[1].url + "/id/sector/no-such-sector", Accept="text/turtle")
        assert status == 404


def test_sparql_is_passed_through_uncached(servers: tuple[LiveServer, nginx.Nginx]) -> None:
    server, proxy = servers
    query = "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
    through = [_get(proxy.url + query, Accept="application/sparql-results+json") for _ in range(2)]
    direct = _get(server.url + query, Accept="application/sparql-results+json")
    for status, headers, body in through:
        assert (status, body) == (direct[0], direct[2])
        assert "x-cache-status" not in headers
