"""smsc_aiohttp: the asyncio transport of smsc-proto (aiohttp, pooled, TLS-verified).

from smsc_proto import Balance, Credentials
from smsc_aiohttp import AsyncClient

async with AsyncClient(Credentials(apikey="...")) as client:
    result = await client.call(Balance())
"""

from smsc_aiohttp.client import AsyncClient

__all__ = ["AsyncClient"]
