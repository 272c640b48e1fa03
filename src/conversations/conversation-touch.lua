-- A user's message reached its lane: opens the conversation if none is open (this message is its
-- first), else refreshes its last activity. A message seen again (its item redelivered) that
-- opened the conversation is told so again, so the caller records `conversation.started` with it
-- again (the log's insert is idempotent: one event whatever the retries).
-- KEYS: state (hash: w = first message's wamid, s = its time ms, p = phone_number_id, u = wa_id,
--       l = last activity ms), idle (zset: lane → last activity ms)
-- ARGV: lane, wamid, messageAtMs, nowMs, stateTtlSeconds, phoneNumberId, waId
-- Returns {opened (1|0), first wamid, started ms (string)}.
local first = redis.call('HGET', KEYS[1], 'w')
local opened = 0
if not first then
  first = ARGV[2]
  redis.call('HSET', KEYS[1], 'w', first, 's', ARGV[3], 'p', ARGV[6], 'u', ARGV[7])
  opened = 1
elseif first == ARGV[2] then
  opened = 1
end
redis.call('HSET', KEYS[1], 'l', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return {opened, first, redis.call('HGET', KEYS[1], 's')}
