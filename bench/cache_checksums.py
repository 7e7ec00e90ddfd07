"""What checking a build cache entry's checksums costs: ``python -m bench.cache_checksums``.

``--root DIR`` (default: the repository) is built if need be; the script then prints the
bytes the check reads and its time, warm (files in the page cache, as on every reuse
right after a build) and, with ``--cold`` and root rights, after dropping the page cache.
The figures go to ``docs/decisions.md`` ("Issue 18: checksums of the build cache").
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from itugraph.build import build
from itugraph.cache_checksums import damaged_files
from itugraph.project import Project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--cold", action="store_true", help="drop the page cache first (root only)")
    args = parser.parse_args()
    entry = build(Project.at(args.root))
    checksums = entry.manifest.checksums
    size = sum((entry.path / name).stat().st_size for name in checksums)
    for run in ("cold", "warm") if args.cold else ("warm",):
        if run == "cold":
            os.sync()
            Path("/proc/sys/vm/drop_caches").write_text("3\n", encoding="utf-8")
        started = time.perf_counter()
        damaged = damaged_files(entry.path, checksums)
        seconds = time.perf_counter() - started
        print(f"{args.root}: {len(checksums)} files, {size / 1e6:.1f} MB, {run}: {seconds * 1000:.0f} ms")
        assert not damaged, damaged


if __name__ == "__main__":
    main()
