-- Reserves the next send slot of a business number: slots are `interval` ms apart across every
-- process (Redis' clock, not ours, so hosts with skewed clocks still agree). Returns how long the
-- caller must wait for its slot.
-- KEYS: next-free-slot key   ARGV: interval ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], string.format('%d', slot + interval), 'PX', slot + interval - now + 1000)
return slot - now
