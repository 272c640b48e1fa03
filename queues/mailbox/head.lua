-- Claims the lane for this run of the owner job and returns its head. The owner key holds
-- `jobId|lockToken` once claimed: if BullMQ hands the same job to a second worker (the first lost
-- its lock, e.g. a starved event loop), the second claim fences the first out, whose next
-- advance then fails instead of processing the lane in parallel. The same holds between an inline
-- drain and the drain job a lease sweep added for its lane.
-- KEYS: list, owner, scheduled, attempts, inline   ARGV: jobId, lane, lockToken
-- Returns {'not_owner'} | {'empty'} (ownership released) | {'item', head, failedAttempts}
local owner = redis.call('GET', KEYS[2])
if not owner or string.match(owner, '^[^|]*') ~= ARGV[1] then return {'not_owner'} end
redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[3])
local inlineKey = KEYS[5]
local ownerJobId = ARGV[1]
--#include ./next-head.lua
