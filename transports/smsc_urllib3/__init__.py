"""smsc_urllib3: the sync transport of smsc-proto (urllib3, pooled, TLS-verified).

from smsc_proto import Credentials, Send
from smsc_urllib3 import Client

with Client(Credentials(login="acme", psw="...")) as client:
    result = client.call(Send(phones=["79991234567"], mes="Hello"))
"""

from smsc_urllib3.client import Client

__all__ = ["Client"]
