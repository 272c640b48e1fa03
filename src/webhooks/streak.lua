-- A failed attempt to a subscription: starts its failure streak unless one is running.
-- KEYS: streak (string: ms of the streak's first failure)   ARGV: nowMs
-- Returns {1 if this failure started the streak else 0, streak start ms (string)}.
local since = redis.call('GET', KEYS[1])
if since then return {0, since} end
redis.call('SET', KEYS[1], ARGV[1])
return {1, ARGV[1]}
