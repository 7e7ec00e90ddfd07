"""``/api/explain`` over real HTTP on the tiny project."""

from __future__ import annotations

import urllib.parse

from tests.helpers import LiveServer, http


def _explain(server: LiveServer, s: str, p: str, o: str) -> object:
    query = urllib.parse.urlencode({"s": s, "p": p, "o": o})
    return http("GET", f"{server.url}/api/explain?{query}")


def test_explain_property_chain_triple(tiny_server: LiveServer) -> None:
    reply = _explain(tiny_server, "<http://example.org/id/group>",
                     "<http://example.org/tiny#serves>", "<http://example.org/id/goal-1>")
    assert reply.status == 200, reply.text  # type: ignore[attr-defined]
    tree = reply.json()  # type: ignore[attr-defined]
    assert tree["rule"] == "prp-spo2"
    premises = {tuple(p["triple"]) for p in tree["premises"]}
    assert ("<http://example.org/id/group>", "<http://example.org/tiny#serves>",
            "<http://example.org/id/target-1>") in premises


def test_explain_asserted_triple_is_404_and_bad_term_is_400(tiny_server: LiveServer) -> None:
    asserted = _explain(tiny_server, "<http://example.org/id/sector>",
                        "<http://example.org/tiny#unitOf>", "<http://example.org/id/org>")
    assert asserted.status == 404  # type: ignore[attr-defined]
    bad = _explain(tiny_server, "nope:x", "<http://example.org/tiny#unitOf>", "<http://e/o>")
    assert bad.status == 400  # type: ignore[attr-defined]
    assert http("GET", tiny_server.url + "/api/explain?s=x").status == 400
