"""`python -m bot.cli`: the `coachbot` command without the console script."""

from bot.cli import main

raise SystemExit(main())
