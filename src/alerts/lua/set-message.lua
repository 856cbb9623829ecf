--[[
Records where an alert's Slack message is, unless the record is gone: a late write must not leave a
record stub behind.

KEYS: alert hash. ARGV: message JSON. Returns 1 when written, 0 when the record is gone.
]]
if redis.call('HEXISTS', KEYS[1], 'alertKey') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'message', ARGV[1])
return 1
