"""One error hierarchy for the whole library.

The library never exits the process: it raises these, and ``itugraph.cli`` maps each
class to an exit code in one place. Every message says what went wrong, where, and how
to fix it, because the people reading them are data maintainers in a pull request.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path


class ItuGraphError(Exception):
    """Base class: anything the user can act on. ``exit_code`` is what the CLI returns."""

    exit_code = 2
    code = "ITUGRAPH_ERROR"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(ItuGraphError):
    """Unusable input: a missing file or folder, an unknown format, a bad argument."""

    code = "INPUT_ERROR"


@dataclass
class SourceLocation:
    """A place in a source file (1-based line and column) that a message points to."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


class RdfSyntaxError(InputError):
    """A file that does not parse in the format its extension names."""

    code = "RDF_SYNTAX_ERROR"

    def __init__(self, location: SourceLocation, detail: str, *, hint: str | None = None) -> None:
        super().__init__(
            f"{location}: syntax error: {detail}",
            hint=hint
            or "fix the RDF syntax at that line (run the file through `itugraph fmt --check` "
            "or an RDF validator to see the surrounding statement)",
        )
        self.location = location
        self.detail = detail


class ShapesError(InputError):
    """The SHACL shapes themselves are malformed (they fail SHACL-for-SHACL)."""

    code = "SHAPES_ERROR"


class UnsupportedShapeError(ShapesError):
    """A well-formed shape using a SHACL feature the chosen engine does not support."""

    code = "SHAPES_UNSUPPORTED"


class QueryError(ItuGraphError):
    """A SPARQL query that cannot be parsed or run (syntax, update, forbidden SERVICE)."""

    code = "QUERY_ERROR"


class QuerySyntaxError(QueryError):
    """A query the SPARQL parser rejects; the message gives the position."""

    code = "QUERY_SYNTAX"


class QueryParameterError(QueryError):
    """A parameter binding the query cannot take (its variable is not projected).

    pyoxigraph reports this only as a ``RuntimeError`` message; ``store`` reads it there,
    once, so callers tell it apart by class.
    """

    code = "QUERY_PARAMETER"


class QueryTooDeepError(QueryError):
    """Brackets nested deeper than the limit: the engine's parser would overflow its stack
    (pyoxigraph crashes from about 3,000 levels) or take minutes (nested collections)."""

    code = "QUERY_TOO_DEEP"


class QueryWorkerCrashedError(QueryError):
    """The worker process running a query died (its memory limit, or a crash of the engine);
    the worker is replaced, the query is not retried."""

    code = "QUERY_WORKER_CRASHED"


class QueryTimeoutError(QueryError):
    """A query ran longer than its time limit and was stopped."""

    code = "QUERY_TIMEOUT"
    exit_code = 3


@dataclass
class Inconsistency:
    """One OWL 2 RL inconsistency: the rule that fired and the resources involved."""

    rule: str
    message: str
    resources: tuple[str, ...] = field(default_factory=tuple)


class InconsistencyError(ItuGraphError):
    """The asserted graph is inconsistent under OWL 2 RL (e.g. a resource in two disjoint classes)."""

    code = "INCONSISTENT_GRAPH"
    exit_code = 1

    def __init__(self, inconsistencies: list[Inconsistency]) -> None:
        lines = [f"  - [{i.rule}] {i.message}" for i in inconsistencies]
        super().__init__(
            "the graph is inconsistent under OWL 2 RL:\n" + "\n".join(lines),
            hint="remove or correct the statements about the resources named above",
        )
        self.inconsistencies = inconsistencies


class ValidationFailedError(ItuGraphError):
    """SHACL validation found violations; ``report`` holds them for rendering."""

    code = "VALIDATION_FAILED"
    exit_code = 1

    def __init__(self, report: object, summary: str) -> None:
        super().__init__(summary, hint="run `itugraph validate` to see every result")
        self.report = report


class UpdateRefusedError(QueryError):
    """A SPARQL Update sent to the read-only endpoint."""

    code = "UPDATE_FORBIDDEN"


class ServiceRefusedError(QueryError):
    """A ``SERVICE`` call to an endpoint outside the allow-list (federation is off by default)."""

    code = "SERVICE_FORBIDDEN"


class CacheWriteError(ItuGraphError):
    """The build cache could not be written (a full disk, a read-only folder, no permission).
    Nothing half-written is left: the next run starts the entry again."""

    code = "CACHE_WRITE_FAILED"
    exit_code = 5


class OutputWriteError(ItuGraphError):
    """An output (``export -o`` FILE, a ``release`` folder) could not be written: a full disk,
    a read-only folder. The target is as it was before (written beside it, renamed last)."""

    code = "OUTPUT_WRITE_FAILED"
    exit_code = 5

    @classmethod
    def writing(cls, target: Path, exc: OSError) -> OutputWriteError:
        """The error for ``exc`` raised while writing ``target``."""
        if disk_full(exc):
            return cls(
                f"cannot write {target}: the disk is full; nothing was written there",
                hint="free space on that disk, or write the output to a folder on another one",
            )
        return cls(
            f"cannot write {target}: {exc.strerror or exc}; nothing was written there",
            hint="make the folder writable, or write the output to another folder",
        )


def disk_full(exc: OSError) -> bool:
    """``ENOSPC`` (or EDQUOT), also when RocksDB reports it as text without an errno."""
    return exc.errno in {errno.ENOSPC, errno.EDQUOT} or "No space left" in str(exc)


class StoreError(ItuGraphError):
    """An external triple store refused a request, failed, or could not be reached (after
    the retries for transient errors). The message names the store by its URL, never by
    its credentials."""

    code = "STORE_ERROR"
    exit_code = 4


class PublishError(StoreError):
    """``itugraph publish`` stopped at ``step``; the version served before is still served."""

    code = "PUBLISH_FAILED"

    def __init__(self, step: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"publish failed at step {step!r}: {message}", hint=hint)
        self.step = step
