-- Takes one request from a key's budget in a fixed window, counted in Redis' clock (TIME), not the
-- callers', so processes on hosts with skewed clocks share the same windows and the same counter.
-- The key is a hash {w = window number, n = requests allowed in it}: a take in a later window
-- starts the count again from zero, and the hash expires on its own a second after its window
-- ends. A refused request is not counted, so n never exceeds the limit.
-- KEYS: the budget's key   ARGV: limit, window ms
-- Returns {allowed 0/1, requests counted in the window (this one included if allowed), ms until the window ends}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local window = string.format('%d', math.floor(now / windowMs))
local resetMs = (math.floor(now / windowMs) + 1) * windowMs - now
local current = redis.call('HMGET', KEYS[1], 'w', 'n')
local count = 0
if current[1] == window then count = tonumber(current[2]) end
if count >= limit then
  return {0, count, resetMs}
end
if count == 0 then
  redis.call('HSET', KEYS[1], 'w', window, 'n', 1)
  redis.call('PEXPIRE', KEYS[1], resetMs + 1000)
else
  redis.call('HINCRBY', KEYS[1], 'n', 1)
end
return {1, count + 1, resetMs}
