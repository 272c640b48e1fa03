-- Removes the head the owner just finished (or gave up on) and returns the next one in the same
-- round trip, releasing the lane when it is empty.
-- KEYS: list, owner, scheduled, attempts, dead, inline
-- ARGV: jobId|lockToken (the claim), lane, itemId, deadEntry ('' = not dead-lettered)
-- Returns like head.lua.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {'not_owner'} end
redis.call('LPOP', KEYS[1])
redis.call('HDEL', KEYS[4], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('LPUSH', KEYS[5], ARGV[4])
  redis.call('LTRIM', KEYS[5], 0, 9999)
end
local inlineKey = KEYS[6]
local ownerJobId = string.match(ARGV[1], '^[^|]*')
--#include ./next-head.lua
