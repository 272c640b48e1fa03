-- Reserves the next send slot of a business number: slots are `interval` microseconds apart
-- across every process (Redis' clock, not ours, so hosts with skewed clocks still agree).
-- Microseconds, not milliseconds: whole-millisecond slots made 300 msg/s run at 250 (3.33 ms
-- rounded up to 4). Microseconds since the epoch (~1.8e15) are exact in Lua's doubles.
-- Returns how many microseconds the caller must wait for its slot.
-- Low priority (ARGV[2] >= 0): the caller takes a slot only if it is free within ARGV[2] µs;
-- otherwise nothing is reserved and the answer is negative: minus the wait until the next free
-- slot, so the caller tries again then (and a normal caller arriving meanwhile goes first).
-- Peek (ARGV[3] = '1', low priority only): answers the same but never reserves (0: a slot is free now).
-- Count (ARGV[4], default 1, normal priority): reserves that many consecutive slots, answering the
-- wait for the first (the campaign sender queues a group of steps per reservation).
-- KEYS: next-free-slot key   ARGV: interval µs, low-priority margin µs (-1: normal priority), peek, count
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local margin = tonumber(ARGV[2] or '-1')
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
if margin >= 0 and slot - now > margin then
  return -(slot - now)
end
if ARGV[3] == '1' then
  return 0
end
local count = tonumber(ARGV[4] or '1')
local after = slot + interval * count
redis.call('SET', KEYS[1], string.format('%d', after), 'PX', math.ceil((after - now) / 1000) + 1000)
return slot - now
