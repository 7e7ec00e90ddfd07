"""``python -m itugraph``."""

from itugraph.cli import main

raise SystemExit(main())
