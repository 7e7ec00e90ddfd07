"""`itugraph validate --inferred` reads the build once and reports each result once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.helpers import REPO


def _results(tmp_path: Path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / f"report{len(args)}.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "itugraph",
            "--root",
            str(REPO),
            "validate",
            *args,
            "-f",
            "json",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, str]] = json.loads(out.read_text(encoding="utf-8"))["results"]
    return results


def test_blank_node_results_are_not_doubled_on_the_inferred_graph(tmp_path: Path) -> None:
    """Claims are blank nodes: the asserted files parsed again beside the store's copy of
    them used to give each claim twice (47 mirror-only warnings became 91)."""
    asserted = Counter(r["shape_id"] for r in _results(tmp_path))
    inferred_results = _results(tmp_path, "--inferred")
    inferred = Counter(r["shape_id"] for r in inferred_results)
    claims = "S51-Claim-mirrorOnly"
    assert asserted[claims] > 0
    assert inferred[claims] == asserted[claims]
    rows = Counter(json.dumps(r, sort_keys=True) for r in inferred_results)
    assert not [row for row, n in rows.items() if n > 1]
    # Every shape that fires on the asserted data fires as often on the inferred graph.
    assert all(inferred[shape] >= count for shape, count in asserted.items())
