"""``/api/explain`` on the tiny project, in-process (the app's test client)."""

from __future__ import annotations

import urllib.parse

from flask.testing import FlaskClient

from tests.helpers import call


def _explain(client: FlaskClient, s: str, p: str, o: str) -> object:
    query = urllib.parse.urlencode({"s": s, "p": p, "o": o})
    return call(client, "GET", f"/api/explain?{query}")


def test_explain_property_chain_triple(client: FlaskClient) -> None:
    reply = _explain(
        client,
        "<http://example.org/id/group>",
        "<http://example.org/tiny#serves>",
        "<http://example.org/id/goal-1>",
    )
    assert reply.status == 200, reply.text  # type: ignore[attr-defined]
    tree = reply.json()  # type: ignore[attr-defined]
    assert tree["rule"] == "prp-spo2"
    premises = {tuple(p["triple"]) for p in tree["premises"]}
    assert (
        "<http://example.org/id/group>",
        "<http://example.org/tiny#serves>",
        "<http://example.org/id/target-1>",
    ) in premises


def test_explain_asserted_triple_is_404_and_bad_term_is_400(client: FlaskClient) -> None:
    asserted = _explain(
        client,
        "<http://example.org/id/sector>",
        "<http://example.org/tiny#unitOf>",
        "<http://example.org/id/org>",
    )
    assert asserted.status == 404  # type: ignore[attr-defined]
    bad = _explain(client, "nope:x", "<http://example.org/tiny#unitOf>", "<http://e/o>")
    assert bad.status == 400  # type: ignore[attr-defined]
    assert call(client, "GET", "/api/explain?s=x").status == 400
