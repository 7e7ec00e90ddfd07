"""Resource descriptions on the real ITU graph, in-process: asserted vs inferred, the
blank-node closure, labels, claims against the open-conflicts query, SHACL findings; the
label index and its search."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.build import Build
from itugraph.linkeddata.describe import describe, findings_for, pick_label
from itugraph.linkeddata.siteindex import SiteIndex, make_index, normalise
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, ITU, ITUID
from itugraph.store import OxigraphStore
from tests.helpers import REPO

C5 = ITUID + "wsis-action-line/C5"


def test_asserted_and_inferred_are_told_apart(itu_store: OxigraphStore) -> None:
    desc = describe(itu_store, C5)
    assert desc.exists and ITU + "WSISActionLine" in desc.types
    for statement in desc.outgoing[:50]:
        graph = GRAPH_INFERRED if statement.inferred else GRAPH_ASSERTED
        asked = itu_store.evaluate(
            "ASK { GRAPH ?g { ?s ?p ?o } }",
            substitutions={
                "g": ox.NamedNode(graph),
                "s": statement.subject,
                "p": statement.predicate,
                "o": statement.object,
            },
        )
        assert bool(asked), statement
    assert any(s.inferred for s in desc.outgoing) and any(not s.inferred for s in desc.outgoing)
    assert {q.graph_name.value for q in desc.quads()} == {GRAPH_ASSERTED, GRAPH_INFERRED}


def test_claims_match_the_open_conflicts_query(itu_store: OxigraphStore) -> None:
    query = (REPO / "queries" / "23-open-conflicts.rq").read_text(encoding="utf-8")
    open_rows = {
        (str(r[0].value), str(r[1].value), r[2])
        for r in itu_store.evaluate(query)
        if r[1].value != ITU + "hasRoleInActionLine"
    }
    holders = {row[0] for row in open_rows}
    claimed = [
        r[0].value for r in itu_store.evaluate(f"SELECT DISTINCT ?s WHERE {{ ?s <{ITU}hasClaim> ?c }}")
    ]
    assert claimed
    statuses = set()
    for iri in claimed:
        desc = describe(itu_store, iri)
        assert desc.claims and all(c.sources for c in desc.claims)
        assert desc.closure  # the claims are blank nodes nested in the resource
        for claim in desc.claims:
            statuses.add(claim.status)
            listed = (iri, claim.property, claim.value) in open_rows
            assert (claim.status == "open") == listed, (iri, claim)
        assert (iri in holders) == any(c.status == "open" for c in desc.claims)
    assert {"prevails", "superseded"} <= statuses


def test_roles_and_labels_of_linked_things(itu_store: OxigraphStore) -> None:
    desc = describe(itu_store, C5)
    assert desc.roles and all(r.action_line == C5 for r in desc.roles)
    labels = desc.labels()
    for statement in desc.outgoing:
        if isinstance(statement.object, ox.NamedNode) and statement.object.value.startswith(ITUID):
            assert statement.object.value in labels, statement.object.value
    sdg = describe(itu_store, "http://metadata.un.org/sdg/9")
    picked = pick_label(sdg.labels().get(sdg.iri), "fr")
    assert picked is not None and picked[1] == "fr"


def test_unknown_iri_does_not_exist(itu_store: OxigraphStore) -> None:
    assert not describe(itu_store, ITUID + "sector/none").exists
    assert describe(itu_store, "http://www.w3.org/2000/01/rdf-schema#label").exists  # a predicate


def test_findings_by_focus_and_owner(tmp_path: Path) -> None:
    file = tmp_path / "validation.json"
    file.write_text(
        '{"results": [{"severity": "Warning", "shape_id": "S51", "message": "m",'
        ' "focus_node": "_:b1", "owner": "http://x/a", "path": null,'
        ' "value": null}]}',
        encoding="utf-8",
    )
    assert [f.shape_id for f in findings_for(file, "http://x/a", set()) or []] == ["S51"]
    assert findings_for(file, "http://x/b", set()) == []
    assert findings_for(tmp_path / "missing.json", "http://x/a", set()) is None


def test_the_build_records_its_validation(itu_build: Build) -> None:
    # Written by any validating build (the live-server tests run one); a build made with
    # validate=False has none, and the page then says so.
    if itu_build.validation_path.is_file():
        assert '"results"' in itu_build.validation_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def index(itu_store: OxigraphStore) -> SiteIndex:
    return make_index(itu_store)


def test_index_kinds_and_search(index: SiteIndex) -> None:
    assert ITUID + "sector/itu-t" in index.kinds["sector"]
    assert normalise("Sécurité") == "securite"
    hits, _ = index.search("SECURITE")
    assert hits and all("securite" in normalise(h.label) for h in hits)
    exact, _ = index.search("C5")
    assert exact[0].iri == C5 and exact[0].rank == 0
    assert index.search("") == ([], False)


class _LabelsPerAnswer:
    """The ITU store as a store behind the SPARQL protocol looks: blank nodes cannot be
    bound in a later query (their labels are local to each answer)."""

    blank_nodes_persist = False

    def __init__(self, store: OxigraphStore) -> None:
        self._store = store
        self.version = store.version

    def evaluate(self, sparql: str, **kwargs: object) -> object:
        substitutions = kwargs.get("substitutions") or {}
        assert not any(isinstance(t, ox.BlankNode) for t in substitutions.values()), "a blank node was bound"  # type: ignore[union-attr]
        return self._store.evaluate(sparql, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["sector/itu-t", "organization/itu", "wsis-action-line/C5"])
def test_a_store_without_lasting_blank_nodes_gives_the_same_description(
    itu_store: OxigraphStore, key: str
) -> None:
    """Nested claims come from one answer (``_tree``) where blank nodes cannot be asked
    about one by one: the same statements, asserted and inferred, as the walk."""
    walked = describe(itu_store, ITUID + key)
    treed = describe(_LabelsPerAnswer(itu_store), ITUID + key)  # type: ignore[arg-type]

    def shape(desc: object) -> list[tuple[str, str, bool, str]]:
        return sorted(
            (
                "_" if isinstance(s.subject, ox.BlankNode) else s.subject.value,
                s.predicate.value,
                s.inferred,
                "_" if isinstance(s.object, ox.BlankNode) else s.object.value,
            )
            for s in desc.statements()  # type: ignore[attr-defined]
        )

    assert shape(treed) == shape(walked) and len(treed.closure) == len(walked.closure)
    assert len(treed.claims) == len(walked.claims)
