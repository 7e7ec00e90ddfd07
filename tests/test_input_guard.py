"""The checks before parsing (``itugraph.input_guard``): size limit, encodings, NUL, XML entities."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from itugraph import input_guard
from itugraph.errors import InputError, RdfSyntaxError
from itugraph.input_guard import MAX_FILE_SIZE_ENV, check_file, max_file_size
from itugraph.load import parse_file
from tests.helpers import copy_fixture

TRIPLE = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
HOSTILE = Path(__file__).resolve().parent / "hostile" / "files"


def _repeated_triples(path: Path, size: int) -> Path:
    """A file of up to ``size`` bytes of one triple repeated, written in blocks (never held whole)."""
    per_block = 2**16 // len(TRIPLE)
    blocks, rest = divmod(size // len(TRIPLE), per_block)
    with path.open("wb") as stream:
        for _ in range(blocks):
            stream.write(TRIPLE * per_block)
        stream.write(TRIPLE * rest)
    return path


@pytest.mark.parametrize(
    ("text", "size"), [("", 256 * 2**20), ("1000", 1000), ("512M", 512 * 2**20), ("2g", 2 * 2**30), ("0", 0)]
)
def test_the_size_limit_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, text: str, size: int
) -> None:
    monkeypatch.setenv(MAX_FILE_SIZE_ENV, text)
    assert max_file_size() == size


def test_a_size_limit_that_is_not_a_size_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_FILE_SIZE_ENV, "lots")
    with pytest.raises(InputError, match="ITUGRAPH_MAX_FILE_SIZE='lots' is not a size"):
        max_file_size()


def test_a_file_over_the_limit_is_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    big = _repeated_triples(tmp_path / "big.nt", 3 * 2**20)
    monkeypatch.setenv(MAX_FILE_SIZE_ENV, "1M")
    with pytest.raises(
        InputError, match=r"big.nt: file too large to load \(3.0 MiB, the limit is 1.0 MiB\)"
    ) as err:
        next(parse_file(big))
    assert "ITUGRAPH_MAX_FILE_SIZE" in str(err.value)
    monkeypatch.setenv(MAX_FILE_SIZE_ENV, "0")  # no limit: the same file streams through
    assert sum(1 for _ in parse_file(big)) == big.stat().st_size // len(TRIPLE)


def test_the_cli_names_the_limit_and_how_to_raise_it(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    _repeated_triples(root / "graph" / "big.nt", 2 * 2**20)
    done = subprocess.run(
        [sys.executable, "-m", "itugraph", "--root", str(root), "export"],
        capture_output=True,
        text=True,
        env={MAX_FILE_SIZE_ENV: "1M", "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "big.nt: file too large to load (2.0 MiB, the limit is 1.0 MiB)" in done.stderr
    assert not (root / ".itugraph").exists()


def test_a_nul_byte_is_placed_by_line_and_column_across_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(input_guard, "CHUNK", 5)
    path = tmp_path / "nul.ttl"
    path.write_bytes("# é\n# ligne\n<x> <y> «ab\0c» .\n".encode())
    with pytest.raises(RdfSyntaxError) as err:
        check_file(path, xml=False)
    assert (err.value.location.line, err.value.location.column) == (3, 12)


def test_a_utf8_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.nt"
    path.write_bytes(b"\xef\xbb\xbf" + TRIPLE)
    assert check_file(path, xml=False) == 3
    assert len(list(parse_file(path))) == 1


def test_entity_references_are_counted_across_chunk_boundaries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "refs.rdf"
    path.write_bytes(b"<r>" + b"&ab; x &cd;" * 97 + b"&ab;</r>")
    for chunk in (3, 7, 64, 2**20):
        monkeypatch.setattr(input_guard, "CHUNK", chunk)
        assert input_guard._expansion(path, {"ab": "12345", "cd": "1"}) == {"ab": 98 * 5, "cd": 97}


def test_an_entity_bomb_is_refused_in_bounded_memory_and_a_plain_entity_is_kept(tmp_path: Path) -> None:
    """The file that made ``export`` allocate 6.4 GB and abort: refused under a 1 GiB address-space limit."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "from itugraph.load import parse_file\nfrom pathlib import Path\n"
        "try:\n    list(parse_file(Path(sys.argv[1])))\n"
        "except Exception as exc:\n    print(type(exc).__name__, exc)\n"
    )
    bomb = HOSTILE / "rdfxml-billion-laughs.rdf"
    done = subprocess.run(
        [sys.executable, "-c", code, bomb], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"RdfSyntaxError {bomb}:4:")
    assert "entity &lol1; refers to another entity" in done.stdout
    plain = list(parse_file(HOSTILE / "rdfxml-plain-entities.owl"))
    assert [str(q.subject) for q in plain] == ["<http://example.org/id/entity-ok>"]
