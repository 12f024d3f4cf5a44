"""The pytest plugin of smsc-proto (entry point ``pytest11``): a running sandbox for your
own tests, so that they need no network and no account.

::

    from smsc_proto import Balance, Credentials, Send
    from smsc_urllib3 import Client

    def test_my_notifier(smsc_sandbox):
        with Client(Credentials(apikey="test"), hosts=[smsc_sandbox.base_url]) as client:
            client.call(Send(phones=["79991234567"], mes="Your code is 1234"))
        (sent,) = smsc_sandbox.sandbox.messages
        assert sent.text == "Your code is 1234"

``smsc_sandbox`` is an ``Emulator`` serving a fresh ``Sandbox`` (sandbox.py) on 127.0.0.1 for
each test: ``.base_url`` for the client's ``hosts``, ``.sandbox`` for its state (balance,
messages sent, records; ``deliver_after`` seconds until a message is delivered) and
``.requests`` for what it received. It needs aiohttp (``smsc-proto[aiohttp]``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from smsc_conformance.emulator import Emulator


@pytest.fixture
def smsc_sandbox() -> Iterator[Emulator]:
    """A sandbox answering every op on 127.0.0.1, fresh for each test."""
    from smsc_conformance.emulator import Emulator
    from smsc_conformance.sandbox import Sandbox

    with Emulator(sandbox=Sandbox()) as emulator:
        yield emulator
