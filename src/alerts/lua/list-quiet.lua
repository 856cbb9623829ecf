--[[
One window of the open set, keeping only the alerts nobody was notified about since a cutoff: what
reminders look for. Read in one snapshot; the others stay on the server instead of crossing the wire.

KEYS: open zset. ARGV: prefix, cutoff (epoch ms), offset, limit.
Returns { how many open alerts the window covered, HGETALL of each kept record }.
The last notification is `notifiedAt`, or `firstSeenAt` for an alert never notified, as recordFromHash
reads them; the caller still applies the full reminder rule to what comes back.
]]
local openKey = KEYS[1]
local prefix, cutoff, offset, limit = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local window = redis.call('ZRANGEBYSCORE', openKey, '-inf', '+inf', 'LIMIT', offset, limit)
local out = { #window }
for _, alertKey in ipairs(window) do
  local key = prefix .. ':alert:' .. alertKey
  local at = redis.call('HMGET', key, 'notifiedAt', 'firstSeenAt')
  local last = tonumber(at[1] or '') or tonumber(at[2] or '') or 0
  if last <= cutoff then out[#out + 1] = redis.call('HGETALL', key) end
end
return out
