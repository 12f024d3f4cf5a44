"""Fuzz the ``send.rest`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_send_rest.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("send.rest", sys.argv)
