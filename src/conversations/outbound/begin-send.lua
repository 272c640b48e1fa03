-- Everything a send checks before it may go, in one round trip: not already accepted by Graph
-- (a crash after the send), the service window still open (free-form only), and the in-flight
-- claim, which fences a second run of the same drain job (a worker that lost its BullMQ lock but
-- is still sending) so the same message cannot reach Meta twice at once.
-- KEYS: sent, window, inflight   ARGV: claim, inflightMs, checkWindow (0|1), nowSeconds, windowSeconds
-- Returns 'sent' | 'closed' | 'busy' | 'go'.
if redis.call('EXISTS', KEYS[1]) == 1 then return 'sent' end
if ARGV[3] == '1' then
  -- isServiceWindowOpen's rule (src/conversations/service-window.ts), in the same round trip
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  if last <= 0 or tonumber(ARGV[4]) - last >= tonumber(ARGV[5]) then return 'closed' end
end
if redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2], 'NX') then return 'go' end
if redis.call('GET', KEYS[3]) == ARGV[1] then return 'go' end
return 'busy'
