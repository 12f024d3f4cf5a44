"""The ``smsc`` command: call any op of the SMSC API from a shell.

::

    export SMSC_LOGIN=acme SMSC_PSW=...        # or SMSC_APIKEY=...
    smsc call balance cur=1
    smsc call send phones=79991234567 mes="Hello" --timeout 30
    smsc call get.messages cnt=1000              # a list: one JSON line per record, as it arrives
    smsc call downloads.get_file id=42 -o export.csv
    smsc ops

It needs only the base install and urllib3 (``pip install "smsc-proto[urllib3]"``);
``smsc emulator``, ``smsc demo`` and ``smsc conformance`` need the conformance package and
aiohttp, and say so when they are missing. Credentials come from the environment only,
never from the command line, where other users could read them.
"""

from smsc_cli.app import main

__all__ = ["main"]
