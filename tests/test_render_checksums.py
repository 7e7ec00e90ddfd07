"""Checksums of what the server adds to a build cache entry: rendered documents, the ontology
pages, the site index, the dataset facts (sealed: their SHA-256 on a first line) and the dumps
(their SHA-256 recorded beside them). A flipped byte is detected and the file made again,
never served."""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path

import pytest

from itugraph.build import build
from itugraph.cache_checksums import (
    checksum_record,
    matches_record,
    read_sealed,
    record_checksum,
    write_sealed,
)
from itugraph.linkeddata.doccache import DOCS_DIR, DocumentCache
from itugraph.linkeddata.dumps import SUMS, Dumps
from itugraph.project import Project
from tests.helpers import copy_fixture, http, live_server


def _flip(path: Path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if at is None else at] ^= 0x01
    path.write_bytes(bytes(data))


# --- sealed files ------------------------------------------------------------------------------


def test_a_sealed_file_reads_back_and_a_flipped_byte_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "a" / "doc"
    assert write_sealed(path, b"<p>body</p>")
    assert read_sealed(path) == b"<p>body</p>"
    for at in (-1, 3, 20):  # in the body, in the seal's name, in the checksum
        assert write_sealed(path, b"<p>body</p>")
        _flip(path, at)
        with caplog.at_level(logging.WARNING, logger="itugraph"):
            assert read_sealed(path) is None
        assert not path.exists()  # removed, to be made again
    assert "is damaged (its checksum does not match)" in caplog.text
    assert read_sealed(tmp_path / "missing") is None


def test_an_unsealed_file_of_an_older_version_is_made_again(tmp_path: Path) -> None:
    (tmp_path / "doc").write_bytes(b"200\n<p>an old render</p>")
    assert read_sealed(tmp_path / "doc") is None


def test_a_sealed_file_that_cannot_be_written_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert write_sealed(blocker / "below" / "doc", b"body", warn=False) is False


def test_a_recorded_checksum_detects_a_flipped_byte(tmp_path: Path) -> None:
    dump = tmp_path / "asserted.nt.gz"
    dump.write_bytes(b"\x1f\x8b" + bytes(range(200)))
    digest = record_checksum(dump)
    assert matches_record(dump) == digest
    _flip(dump)
    assert matches_record(dump) is None
    assert not dump.exists() and not checksum_record(dump).exists()
    dump.write_bytes(b"no record")
    assert matches_record(dump) is None and not dump.exists()  # unrecorded: made again


# --- the caches that use them ------------------------------------------------------------------


def test_a_damaged_rendered_document_is_rendered_again(tmp_path: Path) -> None:
    renders: list[int] = []

    def render() -> tuple[int, bytes]:
        renders.append(1)
        return 200, b"<html>the page</html>"

    assert DocumentCache().get_or_render(tmp_path, "key", render) == (200, b"<html>the page</html>")
    (kept,) = [path for path in (tmp_path / DOCS_DIR).rglob("*") if path.is_file()]
    assert DocumentCache().get_or_render(tmp_path, "key", render) == (200, b"<html>the page</html>")
    assert len(renders) == 1  # read from the folder, checked
    _flip(kept)
    assert DocumentCache().get_or_render(tmp_path, "key", render) == (200, b"<html>the page</html>")
    assert len(renders) == 2


def test_a_damaged_dump_is_written_again_with_the_same_bytes(tmp_path: Path) -> None:
    built = build(Project.at(copy_fixture("tiny", tmp_path)))
    folder = tmp_path / "dumps"
    Dumps(folder, built.store_path).write_all()
    sound = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
    for name in ("asserted.nt.gz", "union.ttl.gz", "context.jsonld", SUMS):
        _flip(folder / name)
    dumps = Dumps(folder, built.store_path)  # a new process: nothing checked yet
    assert dumps.checksum("asserted.nt.gz") in (folder / SUMS).read_text()
    assert (folder / "asserted.nt.gz").read_bytes() == sound["asserted.nt.gz"]
    Dumps(folder, built.store_path).write_all()  # `itugraph release` goes this way
    assert {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")} == sound


def test_a_damaged_dump_is_not_served_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    built = build(Project.at(copy_fixture("tiny", tmp_path)))
    folder = tmp_path / "dumps"
    Dumps(folder, built.store_path).write_all()
    _flip(folder / "asserted.nt.gz")
    with (folder / ".lock").open("ab") as writer:  # another process writing the dumps
        fcntl.flock(writer, fcntl.LOCK_EX)
        assert Dumps(folder, built.store_path).sound("asserted.nt.gz", wait=False) is False
        assert (folder / "asserted.nt.gz").is_file()  # left for now (the server answers 503)
        fcntl.flock(writer, fcntl.LOCK_UN)
    assert Dumps(folder, built.store_path).sound("asserted.nt.gz", wait=False) is False
    assert not (folder / "asserted.nt.gz").exists()  # removed, to be written again


# --- a live server -----------------------------------------------------------------------------

PAGES = [
    "/resource?iri=http%3A%2F%2Fexample.org%2Fid%2Forg",
    "/resource.ttl?iri=http%3A%2F%2Fexample.org%2Fid%2Forg",
    "/id/",
    "/def/shapes",
    "/.well-known/void",
    "/dumps/asserted.nt.gz",
    "/dumps/union.ttl.gz",
    "/dumps/SHA256SUMS",
]


def _fetch_all(url: str) -> dict[str, bytes]:
    replies = {page: http("GET", url + page, headers={"Accept-Encoding": "identity"}) for page in PAGES}
    assert {page: reply.status for page, reply in replies.items()} == dict.fromkeys(PAGES, 200)
    # Absolute links name the server's port, which differs from one run to the next.
    return {page: reply.body.replace(url.encode(), b"ROOT") for page, reply in replies.items()}


def test_a_restarted_server_redoes_every_damaged_render_instead_of_serving_it(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    env = {"ITUGRAPH_HTTP_WORKERS": "1", "ITUGRAPH_WORKERS": "1", "ITUGRAPH_DUMP_WAIT": "60"}
    with live_server(root, tmp_path, env=env) as server:
        first = _fetch_all(server.url)
    (entry,) = [p for p in (root / ".itugraph").iterdir() if p.is_dir() and not p.name.startswith(".")]
    added = [
        *(entry / DOCS_DIR).rglob("*"),
        *(entry / "dumps").glob("*.gz"),
        entry / "dumps" / SUMS,
        entry / "dumps" / "void.json",
        entry / "linkeddata-index.json",
        *entry.glob("*-docs-*.html"),
    ]
    damaged = [path for path in added if path.is_file() and not path.name.startswith(".")]
    assert len(damaged) >= 8, damaged
    for path in damaged:
        _flip(path)
    with live_server(root, tmp_path, env=env) as server:
        again = _fetch_all(server.url)
        log = server.log()
    assert again == first  # every file made again, none of the damaged bytes served
    assert "is damaged (its checksum does not match)" in log
    assert "Traceback" not in log
