--[[
A button click that changes an open alert: 'ack' (the first click wins) or 'snooze' (the latest wins).

KEYS: alert hash. ARGV: mode ('ack' | 'snooze'), userId, now, untilMs.
Returns { outcome, flat HGETALL of the record } with outcome 'done', 'already' or 'resolved'.
]]
local h = KEYS[1]
local mode, userId, now, untilMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local state = redis.call('HMGET', h, 'alertKey', 'resolvedAt', 'acknowledgedBy')
if state[1] == false then return { 'resolved', {} } end
if (state[2] or '') ~= '' then return { 'resolved', redis.call('HGETALL', h) } end
if mode == 'ack' then
  if (state[3] or '') ~= '' then return { 'already', redis.call('HGETALL', h) } end
  redis.call('HSET', h, 'acknowledgedBy', userId, 'acknowledgedAt', now)
else
  redis.call('HSET', h, 'snoozedUntil', untilMs, 'snoozedBy', userId)
end
return { 'done', redis.call('HGETALL', h) }
