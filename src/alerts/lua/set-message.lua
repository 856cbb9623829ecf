--[[
Records where an alert's Slack message is in one channel (one message per channel: a re-post in the
same channel replaces its entry), and when people were last notified, unless the record is gone: a late
write must not leave a record stub behind. `message` stays the first message, for readers of one ref.

KEYS: alert hash. ARGV: message JSON ('' = none), notifiedAt ('' = leave as is).
Returns 1 when written, 0 when the record is gone.
]]
local h = KEYS[1]
local message, notifiedAt = ARGV[1], ARGV[2]
if redis.call('HEXISTS', h, 'alertKey') == 0 then return 0 end
if message ~= '' then
  local ref = cjson.decode(message)
  local list = {}
  local raw = redis.call('HGET', h, 'messages')
  if raw and raw ~= '' then
    list = cjson.decode(raw)
  else
    -- Records written before messages were kept per channel have only the primary one.
    local primary = redis.call('HGET', h, 'message')
    if primary and primary ~= '' then list = { cjson.decode(primary) } end
  end
  local replaced = false
  for i, m in ipairs(list) do
    if m.channel == ref.channel then
      list[i] = { channel = ref.channel, ts = ref.ts }
      replaced = true
    end
  end
  if not replaced then list[#list + 1] = { channel = ref.channel, ts = ref.ts } end
  local first = list[1]
  redis.call('HSET', h, 'messages', cjson.encode(list),
    'message', cjson.encode({ channel = first.channel, ts = first.ts }))
end
if notifiedAt ~= '' then redis.call('HSET', h, 'notifiedAt', notifiedAt) end
return 1
