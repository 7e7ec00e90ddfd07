"""SHACL validation of an itugraph project, with reports that point at file and line.

The CLI's ``itugraph validate`` is a thin shell over this package::

    report = validate_project(Project.at(root), strict=False)
    print(render(report, "text"))
    exit_code = 1 if report.failed(strict=False) else 0

Unusable input raises (``RdfSyntaxError`` for a file that does not parse,
``ShapesError`` for shapes that fail SHACL-for-SHACL, ``InputError`` for a missing
shapes folder); problems in the data are results in the report, never exceptions.
"""

from itugraph.validation.engine import validate_files, validate_project
from itugraph.validation.model import SEVERITIES, ValidationReport, ValidationResult
from itugraph.validation.render import JSON_KEYS, JSON_RESULT_KEYS, RENDERERS, render
from itugraph.validation.shapes import check_shapes, load_shapes
from itugraph.validation.source_index import SourceIndex

__all__ = [
    "JSON_KEYS",
    "JSON_RESULT_KEYS",
    "RENDERERS",
    "SEVERITIES",
    "SourceIndex",
    "ValidationReport",
    "ValidationResult",
    "check_shapes",
    "load_shapes",
    "render",
    "validate_files",
    "validate_project",
]
