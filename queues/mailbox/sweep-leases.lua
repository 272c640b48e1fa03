-- Takes the inline leases that ran out (the process draining the lane died, or stopped renewing)
-- and answers those whose lane is still owned by the same opening, so the caller adds their
-- drain job (the job resumes the lane at its head item, fencing out a drain that still runs).
-- KEYS: inline zset   ARGV: nowMs, limit, owner key prefix (`<base>:owner:`)
-- Returns a flat list {jobId, lane, jobId, lane, ...}.
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, member in ipairs(expired) do
  redis.call('ZREM', KEYS[1], member)
  local jobId, lane = string.match(member, '^([^|]*)|(.*)$')
  if jobId then
    local owner = redis.call('GET', ARGV[3] .. lane)
    if owner and string.match(owner, '^[^|]*') == jobId then
      out[#out + 1] = jobId
      out[#out + 1] = lane
    end
  end
end
return out
