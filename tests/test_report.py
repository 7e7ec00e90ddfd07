"""``itugraph report``: the data-quality report, on the tiny project and on the ITU graph.

In-process (``cli``), but for one run in a real subprocess (``run_cli``), end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import REPO, Cli, run_cli

INVENTORY = "iri\tlabel\tsources\tin_graph\tnotes\n"


def test_report_on_a_project_without_inventories(cli: Cli, tiny_root: Path) -> None:
    result = cli("--root", tiny_root, "report", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {c["iri"] for c in report["classes"]} >= {"http://example.org/tiny#Unit"}
    assert report["inventories"] == []
    assert report["validation"]["violations"] == 0


def test_report_counts_an_inventory_and_names_what_is_missing(cli: Cli, tiny_root: Path) -> None:
    folder = tiny_root / "tests" / "data" / "inventories"
    folder.mkdir(parents=True)
    (folder / "units.tsv").write_text(
        "# total: 3 per S1 (a page that counts them)\n"
        + INVENTORY
        + "http://example.org/id/group\tA study group\tS1\tyes\t\n"
        + "http://example.org/id/nowhere\tNowhere\tS1\tyes\ttypo or missing\n"
        + "http://example.org/id/later\tLater\tS1\tno\tnot modelled yet\n",
        encoding="utf-8",
    )
    result = cli("--root", tiny_root, "report", "--format", "json")
    assert result.returncode == 0, result.stderr
    units = json.loads(result.stdout)["inventories"][0]
    assert (units["listed"], units["expected_in_graph"], units["stated_total"]) == (3, 2, 3)
    assert units["missing"] == ["http://example.org/id/nowhere"]
    assert units["not_modelled"] == ["http://example.org/id/later"]
    text = cli("--root", tiny_root, "report").stdout
    assert "units: 3 listed of 3 the sources state" in text
    assert "missing from the graph: http://example.org/id/nowhere" in text


def test_an_inventory_with_a_wrong_header_is_a_clear_error(cli: Cli, tiny_root: Path) -> None:
    folder = tiny_root / "tests" / "data" / "inventories"
    folder.mkdir(parents=True)
    (folder / "bad.tsv").write_text("id\tname\n", encoding="utf-8")
    result = cli("--root", tiny_root, "report")
    assert result.returncode == 2
    assert "bad.tsv" in result.stderr and "iri label sources in_graph notes" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_writes_a_file(tiny_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.txt"
    result = run_cli("--root", tiny_root, "report", "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("DATA-QUALITY REPORT")


def test_report_on_the_itu_graph_shows_names_per_language_and_kind(cli: Cli) -> None:
    """Issue 19: the report's coverage of the six official languages, per kind of thing."""
    result = cli("--root", REPO, "report", "--format", "json")
    assert result.returncode == 0, result.stderr
    sections = {s["name"]: s for s in json.loads(result.stdout)["sections"]}
    coverage = sections["35-name-coverage-by-language"]
    assert coverage["variables"] == ["kind", "total", "ar", "zh", "en", "fr", "ru", "es"]
    rows = {row[0]: dict(zip(coverage["variables"], row, strict=True)) for row in coverage["rows"]}
    assert rows["sector"]["total"] == rows["sector"]["ar"] == rows["sector"]["zh"] == "3"
    assert "study group, ITU-T study period 2025-2028" in rows
    # the second research pass: the ITU in Chinese, every elected post in Chinese, the
    # General Secretariat in Arabic and French (graph/labels-multilingual.ttl, S925-S938)
    assert rows["the ITU"]["zh"] == "1"
    assert (rows["elected post"]["total"], rows["elected post"]["zh"]) == ("5", "5")
    assert (rows["secretariat"]["ar"], rows["secretariat"]["fr"]) == ("1", "1")
    # the third pass: names of the current ITU-T study groups (S939-S950), none on past periods
    current = rows["study group, ITU-T study period 2025-2028"]
    assert [current[lang] for lang in ("ar", "zh", "fr", "ru", "es")] == ["4", "0", "3", "1", "4"]
    past = rows["study group, ITU-T study period 2022-2024"]
    assert {past[lang] for lang in ("ar", "zh", "fr", "ru", "es")} == {"0"}
