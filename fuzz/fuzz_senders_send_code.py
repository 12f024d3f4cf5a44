"""Fuzz the ``senders.send_code`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_senders_send_code.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("senders.send_code", sys.argv)
