"""Fuzz the ``op_templates.get`` decoders with the shared harness (fuzz/harness.py).

``python fuzz/fuzz_op_templates_get.py -atheris_runs=50000``; a crash file as argument replays it.
"""

import sys

from harness import main

if __name__ == "__main__":
    main("op_templates.get", sys.argv)
