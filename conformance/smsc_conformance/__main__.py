"""``python -m smsc_conformance [--fixtures DIR ...] [--transport codec|urllib3|aiohttp|all]``."""

from smsc_conformance.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
