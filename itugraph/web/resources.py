"""Linked-data documents of every itugraph IRI: resources, listings, search, external IRIs, named graphs."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("resources", __name__)
