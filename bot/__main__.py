"""`python -m bot` is the same program as the `policybot` console script."""

from bot.tools.cli import main

raise SystemExit(main())
