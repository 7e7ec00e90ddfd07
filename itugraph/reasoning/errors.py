"""Errors of the reasoning package (all :class:`~itugraph.errors.ItuGraphError`)."""

from __future__ import annotations

from itugraph.errors import InputError, ItuGraphError


class UnsupportedConstructError(ItuGraphError):
    """The input uses a construct whose OWL 2 RL closure the native engine does not compute.

    Raised instead of returning a closure that would silently differ from the reference
    engine (see ``docs/reasoning.md``, "Rules left out").
    """

    code = "UNSUPPORTED_CONSTRUCT"


class NotInferredError(InputError):
    """``explain`` was asked about a triple that is not in the inferred-only graph."""

    code = "NOT_INFERRED"


class DerivationsFileError(InputError):
    """A derivations cache file that is missing, truncated or of another format version."""

    code = "DERIVATIONS_FILE"
