--[[
One page of open alerts, most urgent first, read in one consistent snapshot.

KEYS: open zset. ARGV: prefix, max score ('+inf' for no limit), offset, limit.
Returns { total, HGETALL of each record on the page }.
]]
local openKey = KEYS[1]
local prefix, max, offset, limit = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local out = { redis.call('ZCOUNT', openKey, '-inf', max) }
for _, alertKey in ipairs(redis.call('ZRANGEBYSCORE', openKey, '-inf', max, 'LIMIT', offset, limit)) do
  out[#out + 1] = redis.call('HGETALL', prefix .. ':alert:' .. alertKey)
end
return out
