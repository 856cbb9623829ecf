--[[
The alert (open or recently resolved) of a serial number, whichever product line it is in.

KEYS: sn key. ARGV: prefix. Returns the flat HGETALL of the record, empty when none.
]]
local alertKey = redis.call('GET', KEYS[1])
if not alertKey then return {} end
return redis.call('HGETALL', ARGV[1] .. ':alert:' .. alertKey)
