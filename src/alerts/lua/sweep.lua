--[[
Counts one missed cycle for every open alert of a product line that this cycle's scan did not list
(at most once per cycle), and resolves those missed two cycles in a row as 'vanished'.

KEYS: open zset, stage counters, product counters, product set.
ARGV: cycleId, now, retentionMs, prefix.
Returns per resolved alert 5 strings: alertKey, previous stage, message JSON, evaluation JSON, messages
JSON ('' = none).
]]
local openKey, stageCounts, productCounts, productSet = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local cycleId, now, retention, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local function bump(key, field, delta)
  if field == nil or field == false or field == '' then return end
  if redis.call('HINCRBY', key, field, delta) <= 0 then redis.call('HDEL', key, field) end
end

local out = {}
for _, alertKey in ipairs(redis.call('SMEMBERS', productSet)) do
  local h = prefix .. ':alert:' .. alertKey
  local f = redis.call('HMGET', h, 'alertKey', 'cycleId', 'missedCycle', 'missedCycles', 'resolvedAt',
    'stage', 'productId', 'productNo', 'message', 'evaluation', 'messages')
  if f[1] == false or (f[5] or '') ~= '' then
    -- An index entry without an open record behind it: drop it rather than count it forever.
    redis.call('SREM', productSet, alertKey)
    redis.call('ZREM', openKey, alertKey)
  elseif f[2] ~= cycleId and f[3] ~= cycleId then
    local missed = (tonumber(f[4]) or 0) + 1
    redis.call('HSET', h, 'missedCycles', missed, 'missedCycle', cycleId)
    if missed >= 2 then
      redis.call('HSET', h, 'resolvedAt', now, 'resolveReason', 'vanished', 'snoozedUntil', '', 'snoozedBy', '')
      redis.call('ZREM', openKey, alertKey)
      redis.call('SREM', productSet, alertKey)
      bump(stageCounts, f[6], -1)
      bump(productCounts, f[7], -1)
      redis.call('PEXPIRE', h, retention)
      local snKey = prefix .. ':alerts:sn:' .. (f[8] or '')
      if redis.call('GET', snKey) == alertKey then redis.call('PEXPIRE', snKey, retention) end
      out[#out + 1] = alertKey
      out[#out + 1] = f[6] or ''
      out[#out + 1] = f[9] or ''
      out[#out + 1] = f[10] or ''
      local messages = f[11] or ''
      if messages == '' and (f[9] or '') ~= '' then messages = '[' .. f[9] .. ']' end
      out[#out + 1] = messages
    end
  end
end
return out
