"""docs/architecture.md names every module that exists, and only modules that exist."""

from __future__ import annotations

import re

from tests.helpers import REPO

DOC = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def _named_paths() -> set[str]:
    """``itugraph/…`` and ``bench/…`` paths in backticks, plus files a row lists by bare name."""
    named = set(re.findall(r"`((?:itugraph|bench)/[\w/.]*)`", DOC))
    for row in DOC.splitlines():
        folder = re.match(r"\| `(itugraph/\w+)/` \|", row)
        if folder:  # a package row lists its modules as `name.py` or `rules_*.py`
            named |= {f"{folder.group(1)}/{name}" for name in re.findall(r"`([\w*]+\.py)`", row)}
    return named


def test_every_module_is_in_the_module_map() -> None:
    named = _named_paths()
    missing = []
    for path in sorted([*REPO.glob("itugraph/**/*.py"), *REPO.glob("bench/*.py")]):
        rel = path.relative_to(REPO).as_posix()
        if path.name == "__init__.py" and rel not in {"itugraph/__init__.py", "bench/__init__.py"}:
            continue  # a sub-package's __init__ is its folder's row
        if rel == "bench/__init__.py":
            continue
        if rel in named or any(re.fullmatch(n.replace("*", r"\w+"), rel) for n in named):
            continue
        missing.append(rel)
    assert not missing, f"add these modules to docs/architecture.md: {missing}"


def test_every_module_the_map_names_exists() -> None:
    gone = [n for n in _named_paths() if "*" not in n and not (REPO / n).exists()]
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"
