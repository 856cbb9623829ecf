--[[
Records where an alert's Slack message is in one channel (one message per channel: a re-post in the
same channel replaces its entry), the stage that message shows and when that channel's people were last
notified, unless the record is gone: a late write must not leave a record stub behind. `message` stays
the first message, for readers of one ref. The record's own `notifiedAt` is the oldest of its channels'
(reminders look for the quietest channel; each channel then gets its own reminder when due).

KEYS: alert hash. ARGV: message JSON ('' = none), notifiedAt ('' = leave as is), stage ('' = leave as is),
channel (with no message: the channel whose notifiedAt/stage to set; '' = every channel's).
Returns 1 when written, 0 when the record is gone.
]]
local h = KEYS[1]
local message, notifiedAt, stage, channel = ARGV[1], ARGV[2], ARGV[3] or '', ARGV[4] or ''
if redis.call('HEXISTS', h, 'alertKey') == 0 then return 0 end
local list = {}
local raw = redis.call('HGET', h, 'messages')
if raw and raw ~= '' then
  list = cjson.decode(raw)
else
  -- Records written before messages were kept per channel have only the primary one.
  local primary = redis.call('HGET', h, 'message')
  if primary and primary ~= '' then list = { cjson.decode(primary) } end
end
local ref = nil
if message ~= '' then
  ref = cjson.decode(message)
  channel = ref.channel
end
-- No channel: the whole alert was notified, in every channel.
local every = ref == nil and channel == ''
local found = false
for i, m in ipairs(list) do
  if every or m.channel == channel then
    if ref then m.ts = ref.ts end
    if notifiedAt ~= '' then m.notifiedAt = tonumber(notifiedAt) end
    if stage ~= '' then m.stage = stage end
    list[i] = m
    found = true
  end
end
if ref and not found then
  local entry = { channel = ref.channel, ts = ref.ts }
  if notifiedAt ~= '' then entry.notifiedAt = tonumber(notifiedAt) end
  if stage ~= '' then entry.stage = stage end
  list[#list + 1] = entry
end
if #list > 0 and (ref or found) then
  local first = list[1]
  redis.call('HSET', h, 'messages', cjson.encode(list),
    'message', cjson.encode({ channel = first.channel, ts = first.ts }))
end
if notifiedAt ~= '' then
  local oldest = tonumber(notifiedAt)
  for _, m in ipairs(list) do
    if m.notifiedAt and m.notifiedAt < oldest then oldest = m.notifiedAt end
  end
  redis.call('HSET', h, 'notifiedAt', string.format('%d', oldest))
end
return 1
