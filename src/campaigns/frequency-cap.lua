-- A contact's campaign sends across the organization's campaigns: one sorted set per (org,
-- contact), members the outbound ids of the steps (so counting the same step again is a no-op),
-- scores the send times in ms. Rolling windows: a cap of n per window allows a send when fewer
-- than n are within the last `window` ms.
-- KEYS: the contact's set   ARGV: now ms, window ms, limit, member, keep ms (the longest window)
-- Returns 0 when the send is counted (or was already), else the time (ms) it may go.
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local keep = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - keep)
if redis.call('ZSCORE', key, ARGV[4]) then return 0 end
local within = redis.call('ZRANGEBYSCORE', key, now - window, '+inf', 'WITHSCORES')
local count = #within / 2
if count >= limit then
  -- The send fits once the oldest sends in the window have left it.
  return math.floor(tonumber(within[(count - limit) * 2 + 2]) + window + 1)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, keep)
return 0
