"""``python -m smsc_cli``: the ``smsc`` command."""

from smsc_cli.app import main

raise SystemExit(main())
