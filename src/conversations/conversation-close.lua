-- Forgets a conversation that has ended, if it is still the one open (compare-and-delete on its
-- first message's wamid), and takes its lane off the idle index.
-- KEYS: state (hash), idle (zset)   ARGV: lane, first wamid
-- Returns 1 when it was forgotten now, 0 when it was not open (any more).
if redis.call('HGET', KEYS[1], 'w') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
