--[[
Decides what one page of evaluations needs this cycle, atomically, so concurrent evaluators of the same
page agree: the first to reach an alert in a cycle decides for it; a retry by the same evaluator gets
that decision again (its earlier run may have died before acting on it); anyone else gets 'nothing'.

Most instances are healthy, and a healthy one only matters when it has an open record to resolve. So a
page costs little: healthy instances travel as one newline-separated string of alertKeys (no evaluation
JSON, no per-instance arguments: a client pays per argument and per reply element), their keys are built
here from the prefix (the hash tag on Redis Cluster, so every key is in the same slot), and a resolved
record keeps the last alerting evaluation it was stored with (what the alert's readers saw).

KEYS: open zset, stage counters, product counters, then per alerting evaluation (page order): alert hash,
  product set, sn key.
ARGV: cycleId, evaluatorId, now, retentionMs, prefix, plan (one letter per evaluation in page order:
  'h' healthy, 'a' alerting), the healthy alertKeys joined by '\n', then per alerting evaluation 8 values:
  alertKey, stage ('' = healthy, for an alertKey that cannot travel in the joined list), severity, digest,
  evaluation JSON, score, productId, productNo.
Returns, only for the evaluations whose answer is not a bare 'nothing', 6 strings each: position in the
page (1-based), action, previous stage, message JSON (the first), resolve reason ('' = none), messages
JSON (every channel's message, '' = none).
]]
local openKey, stageCounts, productCounts = KEYS[1], KEYS[2], KEYS[3]
local cycleId, evaluatorId, now, retention, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local plan, healthyKeys = ARGV[6], string.gmatch(ARGV[7], '[^\n]+')
local nowNum = tonumber(now)

-- Mirrors stageRank in rules.ts: this script must not depend on the rules being loaded.
local function rank(stage)
  if stage == nil or stage == false or stage == '' then return -1 end
  if stage == 'switching' then return 0 end
  if stage == 'expired' then return 2000000 end
  local days = tonumber(string.match(stage, '^(%-?%d+)d$'))
  if days == nil then return 1 end
  if days < 0 then days = 0 end
  if days > 999998 then days = 999998 end
  return 1000000 - days
end

-- Counters drop their field at zero so counts() never reports stages nobody is in.
local function bump(key, field, delta)
  if field == nil or field == false or field == '' then return end
  if redis.call('HINCRBY', key, field, delta) <= 0 then redis.call('HDEL', key, field) end
end

local FIELDS = { 'alertKey', 'stage', 'digest', 'message', 'snoozedUntil', 'resolvedAt', 'resolveReason',
  'decidedCycle', 'decidedBy', 'decidedAction', 'decidedPrev', 'productId', 'messages', 'productNo' }

-- Records written before messages were kept per channel have only the primary one.
local function messagesOf(messages, message)
  if messages ~= nil and messages ~= false and messages ~= '' then return messages end
  if message ~= '' then return '[' .. message .. ']' end
  return ''
end

local function remember(h, decided, previous)
  redis.call('HSET', h, 'decidedCycle', cycleId, 'decidedBy', evaluatorId, 'decidedAction', decided,
    'decidedPrev', previous)
end

local out = {}
local k, a = 4, 8
for position = 1, #plan do
  local h, productSet, snKey
  local alertKey, stage, severity, digest, evaluation, score, productId, productNo
  if string.byte(plan, position) == 104 then -- 'h'
    alertKey, stage = healthyKeys(), ''
    h = prefix .. ':alert:' .. alertKey
  else
    h, productSet, snKey = KEYS[k], KEYS[k + 1], KEYS[k + 2]
    alertKey, stage, severity, digest = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
    evaluation, score, productId, productNo = ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7]
    k, a = k + 3, a + 8
  end

  local action, prev, message, reason, messages = 'nothing', '', '', '', ''
  local cur = redis.call('HMGET', h, unpack(FIELDS))
  local exists = cur[1] ~= false
  local curStage, curDigest, curMessage = cur[2] or '', cur[3] or '', cur[4] or ''
  local curMessages = messagesOf(cur[13], curMessage)
  local snoozedUntil, resolvedAt = cur[5] or '', cur[6] or ''

  if exists and cur[8] == cycleId then
    message, messages = curMessage, curMessages
    if cur[9] == evaluatorId then
      action, prev = cur[10] or 'nothing', cur[11] or ''
      if action == 'resolve' then reason = cur[7] or '' end
    else
      prev = curStage
    end
  elseif stage == '' then
    -- Healthy: resolves an open alert; writes nothing at all otherwise (most instances are healthy).
    if exists and resolvedAt == '' then
      action, prev, message, reason, messages = 'resolve', curStage, curMessage, 'renewed', curMessages
      local recordProduct = cur[12] or string.match(alertKey, '^([^:]*):') or ''
      local recordNo = cur[14] or string.match(alertKey, '^[^:]*:(.*)$') or ''
      productSet = prefix .. ':alerts:product:' .. recordProduct
      snKey = prefix .. ':alerts:sn:' .. recordNo
      redis.call('HSET', h, 'lastSeenAt', now, 'cycleId', cycleId,
        'missedCycles', 0, 'missedCycle', '', 'resolvedAt', now, 'resolveReason', 'renewed',
        'snoozedUntil', '', 'snoozedBy', '')
      remember(h, action, prev)
      redis.call('ZREM', openKey, alertKey)
      redis.call('SREM', productSet, alertKey)
      bump(stageCounts, curStage, -1)
      bump(productCounts, cur[12], -1)
      redis.call('PEXPIRE', h, retention)
      if redis.call('GET', snKey) == alertKey then redis.call('PEXPIRE', snKey, retention) end
    end
  elseif not exists or resolvedAt ~= '' then
    -- A new alert, or one that came back after it resolved: a fresh record (DEL also drops the TTL).
    action = 'post'
    redis.call('DEL', h)
    redis.call('HSET', h, 'alertKey', alertKey, 'productId', productId, 'productNo', productNo,
      'stage', stage, 'severity', severity, 'digest', digest, 'evaluation', evaluation, 'message', '',
      'messages', '', 'notifiedAt', '',
      'acknowledgedBy', '', 'acknowledgedAt', '', 'snoozedUntil', '', 'snoozedBy', '',
      'firstSeenAt', now, 'lastSeenAt', now, 'cycleId', cycleId, 'missedCycles', 0, 'missedCycle', '',
      'resolvedAt', '', 'resolveReason', '')
    remember(h, action, prev)
    redis.call('ZADD', openKey, score, alertKey)
    redis.call('SADD', productSet, alertKey)
    redis.call('SET', snKey, alertKey)
    bump(stageCounts, stage, 1)
    bump(productCounts, productId, 1)
  else
    prev, message, messages = curStage, curMessage, curMessages
    local snoozed = snoozedUntil ~= '' and tonumber(snoozedUntil) > nowNum
    redis.call('HSET', h, 'evaluation', evaluation, 'lastSeenAt', now, 'cycleId', cycleId,
      'missedCycles', 0, 'missedCycle', '')
    redis.call('ZADD', openKey, score, alertKey)
    if snoozed and not (stage == 'expired' and curStage ~= 'expired') then
      -- Stage and digest stay as they were, so the change is still noticed when the snooze ends.
      action = 'nothing'
    else
      local newRank, oldRank = rank(stage), rank(curStage)
      if newRank > oldRank then
        action = 'escalate'
        redis.call('HSET', h, 'acknowledgedBy', '', 'acknowledgedAt', '')
      elseif newRank < oldRank or digest ~= curDigest then
        -- Nothing to update quietly when no message exists: post it instead.
        if curMessage == '' then action = 'post' else action = 'update' end
      elseif curMessage == '' then
        -- An earlier post failed or was lost.
        action = 'post'
      end
      if snoozedUntil ~= '' then redis.call('HSET', h, 'snoozedUntil', '', 'snoozedBy', '') end
      redis.call('HSET', h, 'stage', stage, 'severity', severity, 'digest', digest)
      if stage ~= curStage then
        bump(stageCounts, curStage, -1)
        bump(stageCounts, stage, 1)
      end
    end
    remember(h, action, prev)
  end
  if action ~= 'nothing' or prev ~= '' or message ~= '' or reason ~= '' or messages ~= '' then
    out[#out + 1] = position
    out[#out + 1] = action
    out[#out + 1] = prev
    out[#out + 1] = message
    out[#out + 1] = reason
    out[#out + 1] = messages
  end
end
return out
