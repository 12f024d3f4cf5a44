"""Limits of a login shared by every process through Redis (extra ``redis``).

The API refuses a 15th simultaneous request per login and identical requests beyond their
per-minute limits; ``RedisLimiter`` counts both for every process (and machine) using the
same Redis, instead of each process counting its own::

    from smsc_redis import RedisLimiter
    from smsc_urllib3 import Client

    limiter = RedisLimiter("redis://redis.internal:6379/0", max_in_flight=14)
    client = Client(Credentials(login="acme", psw="..."), limiter=limiter)
"""

from smsc_redis.limiter import RedisLimiter
from smsc_redis.limits import AsyncRedisLoginLimits, RedisLoginLimits

__all__ = ["AsyncRedisLoginLimits", "RedisLimiter", "RedisLoginLimits"]
