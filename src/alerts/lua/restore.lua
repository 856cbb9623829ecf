--[[
Restores one open alert found in Slack after Redis lost its data (src/jobs/rebuild.ts): its record with
the messages, stage, digest and who acknowledged or snoozed it, and the indexes the alert store keeps
(open set, product set, SN key, counters), as a new alert's decision would have. A record that exists
(written since the wipe) keeps its fields and only gains the channels' messages it lacks.

KEYS: alert hash, open zset, stage counters, product counters, product set, sn key.
ARGV: alertKey, productId, productNo, stage, digest, messages JSON (channel, ts, stage), acknowledgedBy,
  acknowledgedAt, snoozedBy, snoozedUntil, now, score.
Returns 1 when the record was created, 0 when it existed (merged).
]]
local h, openKey, stageCounts, productCounts, productSet, snKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local alertKey, productId, productNo, stage, digest, messages =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local ackBy, ackAt, snoozedBy, snoozedUntil, now, score =
  ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local found = cjson.decode(messages)

if redis.call('HEXISTS', h, 'alertKey') == 1 then
  local raw = redis.call('HGET', h, 'messages')
  local list = {}
  if raw and raw ~= '' then list = cjson.decode(raw) end
  local have = {}
  for _, m in ipairs(list) do have[m.channel] = true end
  local added = false
  for _, m in ipairs(found) do
    if not have[m.channel] then
      list[#list + 1] = m
      added = true
    end
  end
  if added then
    local first = list[1]
    redis.call('HSET', h, 'messages', cjson.encode(list),
      'message', cjson.encode({ channel = first.channel, ts = first.ts }))
  end
  return 0
end

local first = found[1]
redis.call('HSET', h, 'alertKey', alertKey, 'productId', productId, 'productNo', productNo,
  'stage', stage, 'severity', '', 'digest', digest, 'evaluation', '',
  'message', cjson.encode({ channel = first.channel, ts = first.ts }), 'messages', messages,
  'notifiedAt', now, 'acknowledgedBy', ackBy, 'acknowledgedAt', ackAt,
  'snoozedUntil', snoozedUntil, 'snoozedBy', snoozedBy,
  'firstSeenAt', now, 'lastSeenAt', now, 'cycleId', 'rebuild', 'missedCycles', 0, 'missedCycle', '',
  'resolvedAt', '', 'resolveReason', '')
redis.call('ZADD', openKey, score, alertKey)
redis.call('SADD', productSet, alertKey)
redis.call('SET', snKey, alertKey)
if stage ~= '' then redis.call('HINCRBY', stageCounts, stage, 1) end
if productId ~= '' then redis.call('HINCRBY', productCounts, productId, 1) end
return 1
