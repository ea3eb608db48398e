"""`python -m clients.cli ...` runs the `releve` command."""

from clients.cli.main import main

raise SystemExit(main())
