-- Ends a send: remembers Graph's acceptance (when there was one) and frees the in-flight claim if
-- it is still ours (a fenced-out run must not free the new owner's claim).
-- KEYS: sent, inflight   ARGV: claim, wamid ('' = not accepted), sentTtlSeconds
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
