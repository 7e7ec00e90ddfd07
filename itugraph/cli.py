"""The ``itugraph`` command: one thin subcommand per library function.

Exit codes (also in the README): 0 success / conforms, 1 violations or an inconsistent
graph (or, for ``fmt --check``, files that need formatting), 2 unusable input (syntax
error, missing file, malformed shapes, bad query), 3 query time limit reached.
Only :func:`main` turns exceptions into exit codes.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from itugraph import __version__
from itugraph.errors import Inconsistency, InconsistencyError, ItuGraphError, ValidationFailedError
from itugraph.project import Project

if TYPE_CHECKING:
    import pyoxigraph as ox

    from itugraph.catalogue import NamedQuery

log = logging.getLogger("itugraph")
Handler = Callable[[argparse.Namespace, Project], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (``__main__`` passes it to ``SystemExit``)."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * args.verbose + 10 * args.quiet, format="%(message)s", stream=sys.stderr
    )
    try:
        project = Project.at(
            args.root, ontology=args.ontology, data=args.data, shapes=args.shapes, queries=args.queries
        )
        return int(args.handler(args, project))
    except ValidationFailedError as exc:
        _print_report(exc.report, "text")
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except ItuGraphError as exc:
        if getattr(args, "format", None) == "json" and args.command == "validate":
            _print_json_error(exc, args.output)
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="itugraph",
        description="Validate, infer, query, export and serve an OWL + RDF + SHACL project "
        "(by default the ITU knowledge graph).",
    )
    parser.add_argument("--version", action="version", version=f"itugraph {__version__}")
    parser.add_argument("--root", help="project folder with ontology/, graph/, shapes/, queries/")
    parser.add_argument("--ontology", help="ontology folder (default ROOT/ontology)")
    parser.add_argument("--data", help="data folder (default ROOT/graph)")
    parser.add_argument("--shapes", help="SHACL shapes folder (default ROOT/shapes)")
    parser.add_argument("--queries", help="named queries folder (default ROOT/queries)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more progress output")
    parser.add_argument("-q", "--quiet", action="count", default=0, help="less output")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _add_validate,
        _add_build,
        _add_export,
        _add_query,
        _add_queries,
        _add_explain,
        _add_report,
        _add_serve,
        _add_publish,
        _add_fmt,
        _add_release,
    ):
        add(commands)
    return parser


# --- validate ----------------------------------------------------------------------------


def _add_validate(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("validate", help="SHACL-validate the data (exit 1 on violations)")
    cmd.add_argument(
        "--inferred", action="store_true", help="validate the inferred graph instead of the asserted data"
    )
    cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    cmd.add_argument("--format", "-f", default="text", choices=["text", "json", "github", "junit"])
    cmd.add_argument("-o", "--output", type=Path, help="write the report to FILE")
    cmd.add_argument(
        "--engine",
        default="sparql",
        choices=["sparql", "pyshacl"],
        help="validation engine (pyshacl is the slow reference)",
    )
    cmd.set_defaults(handler=_validate)


def _validate(args: argparse.Namespace, project: Project) -> int:
    from itugraph.build import build
    from itugraph.load import Triple
    from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
    from itugraph.validation import validate_project
    from itugraph.validation.engine import Parsed

    inferred: list[Triple] | None = None
    parsed: Parsed | None = None
    if args.inferred:
        # The closure of an inconsistent graph means nothing: that fails here (exit 1).
        # One read of the build's store, each graph once, and no second parse of the files:
        # the store's blank nodes are the ones its inferred triples name.
        store = build(project, validate=False, progress=log.info).open_store()
        parsed = Parsed(list(store.triple_tuples(GRAPH_ASSERTED)), {})
        inferred = list(store.triple_tuples(GRAPH_INFERRED))
    report = validate_project(
        project, inferred=inferred, strict=args.strict, engine=args.engine, parsed=parsed
    )
    if not args.inferred:
        # SHACL first: an ill-typed literal is a sh:datatype result in the report, and the
        # OWL 2 RL inconsistency it also is (dt-not-type) joins the report, not replaces it.
        report.inconsistencies = _inconsistencies(project)
    _print_report(report, args.format, args.output)
    if report.inconsistencies:
        print(f"error: {InconsistencyError(report.inconsistencies)}", file=sys.stderr)
    return 1 if report.failed(strict=args.strict) else 0


def _inconsistencies(project: Project) -> list[Inconsistency]:
    """The OWL 2 RL inconsistencies of the asserted graph (the build checks them, and caches)."""
    from itugraph.build import build

    try:
        build(project, validate=False, progress=log.info)
    except InconsistencyError as exc:
        return exc.inconsistencies
    return []


def _print_json_error(error: ItuGraphError, output: Path | None) -> None:
    """``--format json`` prints JSON whatever happens: the error as a document of its own."""
    from itugraph.validation.render import render_error

    text = render_error(error)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _print_report(report: object, fmt: str, output: Path | None = None) -> None:
    from itugraph.validation import render

    text = render(report, fmt)  # type: ignore[arg-type]
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")


# --- build -------------------------------------------------------------------------------


def _add_build(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("build", help="load + validate + infer, and cache the result")
    cmd.add_argument(
        "--engine",
        default="native",
        choices=["native", "owlrl"],
        help="OWL 2 RL engine (owlrl is the slow reference)",
    )
    cmd.add_argument("--force", action="store_true", help="rebuild even if the cache is fresh")
    cmd.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    cmd.set_defaults(handler=_build)


def _build(args: argparse.Namespace, project: Project) -> int:
    from itugraph.build import build

    result = build(
        project,
        engine=args.engine,
        validate=not args.no_validate,
        force=args.force,
        progress=lambda msg: print(msg, file=sys.stderr),
    )
    manifest = result.manifest
    print(
        f"built {result.version}: {manifest.asserted_triples} asserted + "
        f"{manifest.inferred_triples} inferred triples"
        f"{' (cached)' if result.from_cache else ''}"
    )
    return 0


# --- export ------------------------------------------------------------------------------


def _add_export(commands: argparse._SubParsersAction) -> None:
    from itugraph.rdf_formats import FORMATS

    cmd = commands.add_parser("export", help="write the asserted or inferred graph")
    which = cmd.add_mutually_exclusive_group()
    which.add_argument(
        "--asserted",
        dest="selection",
        action="store_const",
        const="asserted",
        help="only the asserted triples",
    )
    which.add_argument(
        "--inferred",
        dest="selection",
        action="store_const",
        const="inferred",
        help="asserted + inferred triples (default)",
    )
    which.add_argument(
        "--inferred-only",
        dest="selection",
        action="store_const",
        const="inferred-only",
        help="only the triples the reasoner added",
    )
    cmd.add_argument("--format", "-f", default="ttl", choices=list(FORMATS))
    cmd.add_argument("-o", "--output", type=Path, help="write to FILE (default: stdout)")
    cmd.set_defaults(handler=_export, selection="inferred")


def _export(args: argparse.Namespace, project: Project) -> int:
    from itugraph.build import build
    from itugraph.export import export_to
    from itugraph.rdf_formats import format_named

    built = build(project, validate=False, progress=log.info)
    export_to(
        built.open_store(),
        args.selection,
        format_named(args.format),
        args.output,
        protected=project.asserted_files() + project.shapes_files(),
    )
    return 0


# --- query / queries ---------------------------------------------------------------------


def _add_query(commands: argparse._SubParsersAction) -> None:
    from itugraph.formats import names

    cmd = commands.add_parser("query", help="run a SPARQL query over the inferred graph")
    cmd.add_argument(
        "query", metavar="QUERY_OR_FILE", help="SPARQL text, a .rq file, or the name of a catalogue query"
    )
    cmd.add_argument(
        "--format",
        "-f",
        default="table",
        choices=names("text", "results", "rdf"),
        help="table (default), json, xml, csv or tsv for SELECT/ASK; "
        "ttl, nt, jsonld, xml, trig or nq for CONSTRUCT/DESCRIBE",
    )
    cmd.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind a parameter of a catalogue query (repeatable)",
    )
    cmd.add_argument(
        "--limit", type=int, help="with -f table, show at most this many rows (the table says so)"
    )
    cmd.set_defaults(handler=_query)


def _query(args: argparse.Namespace, project: Project) -> int:
    from itugraph.build import build
    from itugraph.catalogue import load_catalogue
    from itugraph.errors import InputError
    from itugraph.executor import QueryRequest, answer
    from itugraph.formats import named
    from itugraph.results import render_table
    from itugraph.sparql_text import QueryText, check_query_text

    text, bindings = _resolve_query(args.query, load_catalogue(project.queries_dir), args.param)
    lexed = QueryText(text)
    check_query_text(lexed)
    graph = lexed.form in {"construct", "describe"}
    if args.limit is not None and args.format != "table":
        raise InputError(
            "--limit cuts the table view only",
            hint="add LIMIT to the query to get fewer rows in other formats",
        )
    built = build(project, validate=False, progress=log.info)
    store = built.open_store()
    if args.format == "table" and not graph:
        outcome = store.query(text, substitutions=bindings, limit=args.limit)
        sys.stdout.write(render_table(outcome))
        return 0
    fmt = named("ttl" if args.format == "table" else args.format, "rdf" if graph else "results")
    request = QueryRequest(
        text,
        results_format=fmt.name if not graph else "json",
        rdf_format=fmt.name if graph else "ttl",
        substitutions=bindings,
    )
    answer(store, request, emit=_write_stdout)
    sys.stdout.buffer.flush()
    return 0


def _write_stdout(chunk: bytes) -> None:
    sys.stdout.buffer.write(chunk)


def _resolve_query(
    given: str, catalogue: dict[str, NamedQuery], raw_params: list[str]
) -> tuple[str, dict[str, ox.NamedNode | ox.Literal]]:
    from itugraph.errors import InputError

    params = {}
    for item in raw_params:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"bad --param {item!r}", hint="write --param NAME=VALUE")
        params[name] = value
    if given in catalogue:
        named = catalogue[given]
        return named.text, named.bindings(params)
    path = Path(given)
    if given.endswith(".rq") or (len(given) < 4096 and "\n" not in given and path.is_file()):
        if not path.is_file():
            raise InputError(
                f"{given}: no such query file",
                hint="pass SPARQL text, a .rq file or a name from `itugraph queries`",
            )
        return path.read_text(encoding="utf-8"), {}
    return given, {}


def _add_queries(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("queries", help="list the named queries of the catalogue")
    cmd.set_defaults(handler=_queries)


def _queries(args: argparse.Namespace, project: Project) -> int:
    from itugraph.catalogue import load_catalogue

    for name, named in load_catalogue(project.queries_dir).items():
        params = " ".join(f"{p.name}:{p.type}" for p in named.parameters)
        print(f"{name:40} {named.title}" + (f"  [{params}]" if params else ""))
    return 0


# --- report ------------------------------------------------------------------------------


def _add_report(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("report", help="data-quality report: classes, coverage, conflicts, warnings")
    cmd.add_argument("--format", "-f", default="text", choices=["text", "json"])
    cmd.add_argument("-o", "--output", type=Path, help="write the report to FILE")
    cmd.set_defaults(handler=_report)


def _report(args: argparse.Namespace, project: Project) -> int:
    from itugraph.report import RENDERERS, make_report

    text = RENDERERS[args.format](make_report(project))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


# --- explain -----------------------------------------------------------------------------


def _add_explain(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("explain", help="show why an inferred triple holds")
    cmd.add_argument("subject")
    cmd.add_argument("predicate")
    cmd.add_argument("object")
    cmd.add_argument("--format", "-f", default="text", choices=["text", "json"])
    cmd.set_defaults(handler=_explain)


def _explain(args: argparse.Namespace, project: Project) -> int:
    from itugraph.explain import explain_command

    return explain_command(project, args.subject, args.predicate, args.object, args.format)


# --- serve -------------------------------------------------------------------------------


def _add_serve(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("serve", help="serve SPARQL and linked data over HTTP")
    cmd.add_argument("--host", default=None, help="interface (default 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=None, help="port (default 8000)")
    cmd.add_argument(
        "--http-workers", type=int, default=None, help="HTTP worker processes (default: one per core)"
    )
    cmd.add_argument(
        "--threads", type=int, default=None, help="HTTP threads per HTTP worker process (default 4)"
    )
    cmd.add_argument(
        "--workers", type=int, default=None, help="query worker processes per HTTP worker process (default 2)"
    )
    cmd.add_argument("--timeout", type=float, default=None, help="query time limit (s)")
    cmd.add_argument(
        "--backend",
        choices=["embedded", "sparql"],
        default=None,
        help="where queries run: the build's store (default) or an external SPARQL store "
        "loaded by `itugraph publish` (credentials: ITUGRAPH_STORE_USER/ITUGRAPH_STORE_PASSWORD)",
    )
    cmd.add_argument("--query-url", default=None, help="the external store's SPARQL query endpoint")
    cmd.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace, project: Project) -> int:
    from itugraph.web.serve import serve

    overrides = {
        "HOST": args.host,
        "PORT": args.port,
        "HTTP_WORKERS": args.http_workers,
        "THREADS": args.threads,
        "WORKERS": args.workers,
        "QUERY_TIMEOUT": args.timeout,
        "BACKEND": args.backend,
        "QUERY_URL": args.query_url,
    }
    serve(project, {k: v for k, v in overrides.items() if v is not None})
    return 0


# --- publish -----------------------------------------------------------------------------


def _add_publish(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(
        "publish",
        help="load the validated, inferred graphs into SPARQL stores (Graph Store Protocol), atomically",
        description="Load every named graph of the build under new versioned names, verify the "
        "triple counts, then switch the pointer graph front ends read and drop the old version. "
        "Credentials: ITUGRAPH_STORE_USER/ITUGRAPH_STORE_PASSWORD or --credentials FILE.",
    )
    cmd.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="GSP_URL",
        help="a store's Graph Store Protocol endpoint (repeat for replicas: all switch together)",
    )
    cmd.add_argument(
        "--query-url",
        action="append",
        required=True,
        metavar="URL",
        help="the same store's SPARQL query endpoint (once per --to, in the same order)",
    )
    cmd.add_argument(
        "--update-url",
        action="append",
        default=None,
        metavar="URL",
        help="the store's SPARQL Update endpoint, to drop graphs by DROP GRAPH instead of "
        "GSP DELETE (once per --to)",
    )
    cmd.add_argument(
        "--credentials", type=Path, default=None, help='JSON file: {"URL prefix": {"user":…, "password":…}}'
    )
    cmd.add_argument("--chunk-triples", type=int, default=20_000, help="triples per request (default 20000)")
    cmd.add_argument(
        "--grace",
        type=float,
        default=10.0,
        help="seconds between the switch and dropping the old version (default 10)",
    )
    cmd.add_argument("--retries", type=int, default=5, help="attempts per request on 5xx/network errors")
    cmd.set_defaults(handler=_publish)


def _publish(args: argparse.Namespace, project: Project) -> int:
    from itugraph.build import build
    from itugraph.publish import publish, publish_targets

    targets = publish_targets(
        args.to,
        args.query_url,
        args.update_url,
        credentials=args.credentials,
        attempts=args.retries,
        on_retry=lambda message: print(f"retry: {message}", file=sys.stderr),
    )
    built = build(project, progress=log.info)
    report = publish(
        built.open_store(),
        targets,
        validation=built.validation_path,
        built_at=built.manifest.built_at,
        chunk_triples=args.chunk_triples,
        grace=args.grace,
        progress=lambda message: print(message, file=sys.stderr),
    )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items())
    print(f"steps: {steps}", file=sys.stderr)
    counts = " + ".join(f"{n:,} {g.rsplit('/', 1)[-1]}" for g, n in sorted(report.triples.items()))
    print(f"published {report.publication.id} to {len(targets)} store(s): {counts} triples")
    return 0


# --- fmt ---------------------------------------------------------------------------------


def _add_fmt(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("fmt", help="rewrite data Turtle files in canonical form")
    cmd.add_argument(
        "--check", action="store_true", help="only report files that are not canonical (exit 1 if any)"
    )
    cmd.add_argument("files", nargs="*", type=Path, help="files (default: the data folder)")
    cmd.set_defaults(handler=_fmt)


def _fmt(args: argparse.Namespace, project: Project) -> int:
    from itugraph.errors import InputError
    from itugraph.fmt import format_files, turtle_files

    # The installed ITU graph is package data (and its fmt-exclude list lives in the
    # checkout's pyproject.toml): fmt is for a project someone edits.
    if project.installed() or (not args.check and not project.writable()):
        why = "it is the data installed with the package" if project.installed() else "it is not writable"
        raise InputError(
            f"fmt works on a project you edit, not on {project.root}: {why}",
            hint="pass --root DIR (a checkout of the repository or your project)",
        )
    results = format_files(args.files or turtle_files(project), check=args.check)
    changed = [r.path for r in results if r.changed]
    for path in changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    print(
        f"{len(results)} file(s) checked, {len(changed)} {'not canonical' if args.check else 'rewritten'}",
        file=sys.stderr,
    )
    return 1 if args.check and changed else 0


# --- release -----------------------------------------------------------------------------


def _add_release(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(
        "release", help="write a versioned release (dumps, ontology, shapes, VoID, changelog)"
    )
    cmd.add_argument("version", metavar="VERSION", help="SemVer version, e.g. 1.0.0")
    cmd.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        help="folder of releases (default dist/); writes OUT/VERSION/",
    )
    cmd.add_argument(
        "--previous",
        type=Path,
        default=None,
        help="release folder to compare with (default: the highest in OUT)",
    )
    cmd.set_defaults(handler=_release)


def _release(args: argparse.Namespace, project: Project) -> int:
    from itugraph.linkeddata.release import release

    folder = release(project, args.version, args.out, previous=args.previous)
    print(f"released {args.version} in {folder}")
    return 0
