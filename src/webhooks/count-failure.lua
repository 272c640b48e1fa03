-- Counts a failed attempt of a delivery and returns how many it has had and when the first was.
-- KEYS: failures (hash: delivery id → "<count>:<first attempt ms>")   ARGV: deliveryId, nowMs
-- Returns {count, firstMs (string)}.
local value = redis.call('HGET', KEYS[1], ARGV[1])
local count, first = 1, ARGV[2]
if value then
  local sep = string.find(value, ':', 1, true)
  count = tonumber(string.sub(value, 1, sep - 1)) + 1
  first = string.sub(value, sep + 1)
end
redis.call('HSET', KEYS[1], ARGV[1], count .. ':' .. first)
return {count, first}
