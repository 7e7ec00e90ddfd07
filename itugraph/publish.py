"""``itugraph publish``: load a build into external SPARQL stores, atomically for readers.

The steps, each over every store before the next begins:

1. **read**: each store's live publication (the pointer graph, :mod:`itugraph.publication`);
2. **load**: every named graph of the build, and its SHACL results as the validation graph
   (:mod:`itugraph.linkeddata.validation_graph`), under a new versioned name, by Graph Store
   PUT (first chunk) and POST (the others), in chunks that keep each blank-node-connected
   group of triples in one request (a blank node is local to one request's document);
3. **verify**: per graph, the store's ``COUNT`` equals the build's;
4. **switch**: one PUT of each store's pointer graph (stating the verified counts), read
   back; only after every store
   passed step 3, so replicas never serve different versions for long;
5. **drop**: after a grace period (front ends cache the pointer for a moment), every
   versioned graph that is not live: the old version and leftovers of failed publishes.

A failure in steps 1-3 drops what was loaded (as far as the store lets us) and raises
:class:`~itugraph.errors.PublishError` naming the step: the old version is still served,
and publishing again starts afresh.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.errors import InputError, PublishError, StoreError
from itugraph.linkeddata.validation_graph import validation_triples
from itugraph.namespaces import GRAPH_CURRENT, GRAPH_VALIDATION
from itugraph.publication import VERSION_SEGMENT, Publication, read_publication, versioned_graphs
from itugraph.sparql_client import ProtocolClient, Retry, check_store_url, load_credentials
from itugraph.store import OxigraphStore

#: Triples per Graph Store request: ~2-3 MB of N-Triples, which every store we tried
#: takes in one request without raising its body-size limits.
CHUNK_TRIPLES = 20_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PublishTarget:
    """One store: its Graph Store and query endpoints, and the client that talks to them."""

    client: ProtocolClient

    @property
    def name(self) -> str:
        return self.client.gsp_url or self.client.query_url


@dataclass
class PublishReport:
    """What a publish did: the live publication, the one it replaced on each store, and
    seconds per step."""

    publication: Publication
    triples: dict[str, int]
    previous: dict[str, str | None] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def publish_targets(
    gsp_urls: list[str],
    query_urls: list[str],
    update_urls: list[str] | None,
    *,
    credentials: Path | None = None,
    attempts: int = 5,
    on_retry: Progress | None = None,
) -> list[PublishTarget]:
    """One target per ``--to``, paired in order with ``--query-url`` (and ``--update-url``)."""
    if len(query_urls) != len(gsp_urls) or (update_urls and len(update_urls) != len(gsp_urls)):
        raise InputError(
            f"{len(gsp_urls)} --to, {len(query_urls)} --query-url and {len(update_urls or [])} "
            "--update-url given; each store needs its own",
            hint="give --query-url (and --update-url, if any) once per --to, in the same order",
        )
    if attempts < 1:
        raise InputError(f"--retries {attempts} must be at least 1")
    targets = []
    for i, gsp in enumerate(gsp_urls):
        update = update_urls[i] if update_urls else None
        client = ProtocolClient(
            gsp_url=check_store_url(gsp, "--to"),
            query_url=check_store_url(query_urls[i], "--query-url"),
            update_url=check_store_url(update, "--update-url") if update else None,
            credentials=load_credentials(gsp, credentials),
            retry=Retry(attempts=attempts),
            on_retry=on_retry,
        )
        targets.append(PublishTarget(client))
    return targets


def publish(
    store: OxigraphStore,
    targets: list[PublishTarget],
    *,
    validation: Path | None = None,
    built_at: str = "",
    chunk_triples: int = CHUNK_TRIPLES,
    grace: float = 10.0,
    progress: Progress | None = None,
) -> PublishReport:
    """Publish every named graph of ``store`` (a build), and the build's SHACL results
    (``validation``, its ``validation.json``) as the validation graph, to every target
    (see the module)."""
    say = progress or (lambda _message: None)
    sources = _graph_sources(store, validation)
    publication = Publication.new(
        store.version, store.graph_names(), validation=GRAPH_VALIDATION in sources, built_at=built_at
    )
    report = PublishReport(publication, {})
    with _step(report, "read"):
        for target in targets:
            live = read_publication(target.client)
            report.previous[target.name] = live.id if live else None
    try:
        with _step(report, "load"):
            for target in targets:
                for graph, triples in sources.items():
                    versioned = publication.all_graphs[graph]
                    count = _load_graph(triples(), versioned, target, chunk_triples, say)
                    report.triples[graph] = count
        with _step(report, "verify"):
            for target in targets:
                _verify(target, publication, report.triples)
    except PublishError:
        _discard(targets, publication, say)
        raise
    # The pointer states the verified counts: front ends check what they read against them.
    publication = report.publication = dataclasses.replace(publication, triples=dict(report.triples))
    with _step(report, "switch"):
        for target in targets:
            _switch(target, publication, say)
    started = time.monotonic()
    report.warnings += _drop_stale(targets, publication, grace, say)
    report.seconds["drop"] = time.monotonic() - started
    return report


def _graph_sources(
    store: OxigraphStore, validation: Path | None
) -> dict[str, Callable[[], Iterable[ox.Triple]]]:
    """Each graph to load (a stable name) and how to read its triples."""
    sources: dict[str, Callable[[], Iterable[ox.Triple]]] = {
        graph: functools.partial(store.triples, graph) for graph in store.graph_names()
    }
    if validation is not None and validation.is_file():
        results = validation_triples(validation)
        sources[GRAPH_VALIDATION] = lambda: results
    return sources


@contextmanager
def _step(report: PublishReport, name: str) -> Iterator[None]:
    """Times a step and turns a store failure inside it into a PublishError naming it."""
    started = time.monotonic()
    try:
        yield
    except PublishError:
        raise
    except StoreError as error:
        raise PublishError(name, error.message, hint=_step_hint(name, error)) from None
    finally:
        report.seconds[name] = time.monotonic() - started


def _step_hint(step: str, error: StoreError) -> str:
    served = "nothing was switched: the version published before is still served"
    if step == "switch":
        served = "stores listed as switched serve the new version, the others the old one"
    return f"{served}; {error.hint or 'fix the cause'} and run `itugraph publish` again"


def _load_graph(
    triples: Iterable[ox.Triple], versioned: str, target: PublishTarget, size: int, say: Progress
) -> int:
    """Load one graph into its versioned name; the number of triples sent."""
    sent = 0
    target.client.delete_graph(versioned)  # a fresh name, but a rerun must never merge
    for chunk in triple_chunks(triples, size):
        body = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b""
        if sent == 0:
            target.client.put_graph(versioned, body)
        else:
            target.client.post_graph(versioned, body)
        sent += len(chunk)
        say(f"load {target.name}: {_short(versioned)} {sent:,} triples")
    return sent


def _verify(target: PublishTarget, publication: Publication, expected: dict[str, int]) -> None:
    for graph, versioned in publication.all_graphs.items():
        found = target.client.count(versioned)
        if found != expected[graph]:
            raise PublishError(
                "verify",
                f"{target.name} holds {found:,} triples in {versioned}, the build has {expected[graph]:,}",
                hint="the store dropped or merged triples (see its log; e.g. literals it cannot "
                "store); nothing was switched: the version published before is still served",
            )


def _switch(target: PublishTarget, publication: Publication, say: Progress) -> None:
    target.client.put_graph(GRAPH_CURRENT, publication.pointer_ntriples())
    live = read_publication(target.client)
    if live is None or live.id != publication.id:
        raise StoreError(f"{target.name} does not show the new pointer graph after it was written")
    say(f"switch {target.name}: serving {publication.id}")


def _discard(targets: list[PublishTarget], publication: Publication, say: Progress) -> None:
    """Best effort: drop the graphs of a publication that failed (a later publish drops
    what is left)."""
    for target in targets:
        for versioned in publication.all_graphs.values():
            try:
                target.client.delete_graph(versioned)
            except StoreError:
                say(f"could not drop {versioned} from {target.name}; the next publish drops it")
                break


def _drop_stale(targets: list[PublishTarget], live: Publication, grace: float, say: Progress) -> list[str]:
    """Drop every versioned graph that is not live, after ``grace`` seconds; failures are
    warnings (the new version is served, the next publish retries)."""
    if grace > 0:
        say(f"drop: waiting {grace:g} s for front ends to read the new pointer")
        time.sleep(grace)
    warnings: list[str] = []
    keep = set(live.all_graphs.values())
    for target in targets:
        try:
            for graph in sorted(versioned_graphs(target.client) - keep):
                target.client.delete_graph(graph)
                say(f"drop {target.name}: {graph}")
        except StoreError as exc:
            warnings.append(
                f"{target.name}: old graphs not dropped ({exc.message}); the next publish drops them"
            )
    return warnings


def _short(graph: str) -> str:
    """``asserted`` for ``…/graph/asserted`` and for its versioned names."""
    return graph.split(VERSION_SEGMENT, 1)[0].rsplit("/", 1)[-1]


def triple_chunks(triples: Iterable[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """``triples`` in lists of about ``size``; the triples sharing blank nodes (directly or
    through each other) always in the same list, however large the group."""
    plain: list[ox.Triple] = []
    linked: list[ox.Triple] = []
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            linked.append(triple)
            continue
        plain.append(triple)
        if len(plain) >= size:
            yield plain
            plain = []
    chunk = plain
    for group in _blank_node_groups(linked):
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


def _blank_node_groups(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Triples grouped by connected blank nodes (union-find over their labels)."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for triple in triples:
        labels = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if len(labels) == 2:
            parent[root(labels[0])] = root(labels[1])
    groups: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        node = triple.subject if isinstance(triple.subject, ox.BlankNode) else triple.object
        assert isinstance(node, ox.BlankNode)
        groups.setdefault(root(node.value), []).append(triple)
    return list(groups.values())
