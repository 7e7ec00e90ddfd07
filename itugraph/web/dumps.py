"""Dumps of the graph and the dataset description (VoID + DCAT)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dumps", __name__)
