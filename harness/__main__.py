"""``python -m harness`` is the same as the ``loadgate`` command."""

from harness.cli import main

raise SystemExit(main())
