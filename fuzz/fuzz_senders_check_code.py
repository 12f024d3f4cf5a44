"""Fuzz the ``senders.check_code`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_senders_check_code.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("senders.check_code", sys.argv)
