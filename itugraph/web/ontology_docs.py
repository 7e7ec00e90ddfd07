"""Documentation of the ontology at /def/itu and of the shapes at /def/shapes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ontology_docs", __name__)
