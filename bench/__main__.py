"""``python -m bench``: the benchmark suite (``bench.cli``)."""

from bench.cli import main

raise SystemExit(main())
