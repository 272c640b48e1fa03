-- Shared tail of head.lua and advance.lua (spliced in by their `--#include`): the lane's next item
-- with its failed-attempt count, or release the lane when it is empty (and the inline lease of
-- this opening of it, `<jobId>|<lane>`, if an inline drain held one).
-- Expects KEYS list, owner, scheduled, attempts, ARGV[2] = lane, and locals `inlineKey` (the
-- mailbox's lease zset) and `ownerJobId` set by the including script.
local head = redis.call('LINDEX', KEYS[1], 0)
if not head then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
  redis.call('ZREM', inlineKey, ownerJobId .. '|' .. ARGV[2])
  return {'empty'}
end
return {'item', head, redis.call('HGET', KEYS[4], cjson.decode(head).id) or '0'}
