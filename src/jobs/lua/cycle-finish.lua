--[[
Records that one job of a cycle is done (once) and what it reported, in one call.

KEYS: hash, expected, finished, posts, enrichments, post order, forecast parts. ARGV: ttl, self ('' for
none), nChildren, children..., nCounters, (field, delta)..., nFields, (field, value)..., nPosts,
(alertKey, json)..., nEnrichments, (alertKey, json)..., nForecast, (self, part)...
`pending` counts expected jobs not yet finished, whichever of "registered" and "finished" happens
first (a child may finish before its parent registers it).
]]
local ttl = tonumber(ARGV[1])
local self = ARGV[2]
local i = 3
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local child = ARGV[i]; i = i + 1
  if redis.call('SADD', KEYS[2], child) == 1 and redis.call('SISMEMBER', KEYS[3], child) == 0 then
    redis.call('HINCRBY', KEYS[1], 'pending', 1)
  end
end
local first = true
if self ~= '' then
  first = redis.call('SADD', KEYS[3], self) == 1
  if first and redis.call('SISMEMBER', KEYS[2], self) == 1 then
    redis.call('HINCRBY', KEYS[1], 'pending', -1)
  end
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  if first then redis.call('HINCRBY', KEYS[1], ARGV[i], tonumber(ARGV[i + 1])) end
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  if redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) == 1 then redis.call('RPUSH', KEYS[6], ARGV[i]) end
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1])
  i = i + 2
end
-- A scanned page's part of the renewal forecast (src/jobs/forecast-snapshot.ts), written with its "done".
n = tonumber(ARGV[i] or '0'); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[7], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for k = 1, 7 do redis.call('EXPIRE', KEYS[k], ttl) end
return {first and 1 or 0, tonumber(redis.call('HGET', KEYS[1], 'pending') or '0')}
