-- An adopting process takes over the inline lease another process set for a lane it opened, and
-- claims the lane for its drain, in one step: the lease only while it has at least
-- `minRemainingMs` left (a request that arrived late is refused, so a sweep cannot hand the lane
-- to a Worker while it runs here too), extended to `newDeadlineMs`; then as head.lua.
-- KEYS: list, owner, scheduled, attempts, inline   ARGV: jobId, lane, lockToken, nowMs, minRemainingMs, newDeadlineMs
-- Returns {'refused'} (the lease is not taken) or as head.lua.
local member = ARGV[1] .. '|' .. ARGV[2]
local deadline = tonumber(redis.call('ZSCORE', KEYS[5], member) or '0')
if deadline - tonumber(ARGV[4]) < tonumber(ARGV[5]) then return {'refused'} end
redis.call('ZADD', KEYS[5], ARGV[6], member)
--#include ./head.lua
