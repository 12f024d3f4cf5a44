"""The Lua scripts that keep the limits in Redis. Each reads and writes one key atomically,
and takes the time from the server (``TIME``), never from the caller: processes on machines
whose clocks differ agree on when a lease expires and when a window's oldest request leaves
it. Times are in milliseconds (integers, exact in a sorted set's double scores). They run on
one server through a plain ``redis.Redis`` client: a Redis Cluster is not supported.

Loaded once per connection pool and then run by digest (``register_script``: EVALSHA, and
SCRIPT LOAD again when the server answers NOSCRIPT, e.g. after a restart).

    take = client.register_script(TAKE_SLOT)
    take(keys=["smsc:<digest>:slots"], args=[14, 10000, token])  # 1: granted, 0: all held
"""

from __future__ import annotations

__all__ = ["ACQUIRE_WINDOW", "RENEW_SLOTS", "TAKE_SLOT"]

# Redis 3.2-4.x replicate a script's commands only when asked to; a script that reads TIME
# must not be replicated as a script (a replica would read another time). Later servers
# always replicate commands (the call is then a no-op, or absent).
_PREAMBLE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS[1]: the login's sorted set of leases (member: a token, score: its expiry).
# ARGV: the most leases held at once, the lease in ms, a new token.
# Drops the expired leases (those of a process that died), then adds one if one is free.
TAKE_SLOT = (
    _PREAMBLE
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
-- No lease outlives now + lease unless renewed, and a renewal sets this again.
redis.call('PEXPIRE', KEYS[1], lease)
return 1
"""
)

# KEYS[1]: the login's leases; ARGV: the lease in ms, then the tokens this process holds.
# Pushes their expiry to now + lease. An expired one is not brought back (its slot may be
# another process's by now): the answer lists those (lapsed, or released meanwhile).
RENEW_SLOTS = (
    _PREAMBLE
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local lease = tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], lease)
end
return lost
"""
)

# KEYS[1]: a rate-limit window (member: a token per request counted, score: when).
# ARGV: the most requests per window, the window in ms, a new token, the time in ms to count
# at ('' for the server's: a client with a clock of its own gives its own), and how long (ms,
# real time) the key is kept after its latest request.
# Drops the requests older than the window; when it is full, answers the seconds until its
# oldest leaves, as a string (a Lua number would reach the client truncated to an integer);
# else counts this one and answers '0'.
ACQUIRE_WINDOW = (
    _PREAMBLE
    + """
if ARGV[4] ~= '' then now = tonumber(ARGV[4]) end
local per = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring((tonumber(oldest[2]) + per - now) / 1000)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return '0'
"""
)
