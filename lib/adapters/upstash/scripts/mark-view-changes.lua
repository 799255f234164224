-- Records memory changes in summary-view partitions: creates the partition (pending) when new and
-- under the view's cap, adds the changed memory ids (or the overflow marker `*` past the cap on
-- them), and, for continuous views, takes the debounce latch so one refresh is queued per burst.
--
-- KEYS (3 per mark): partitions hash, changed set, scheduled latch (keys.ts viewKeys)
-- ARGV: 1 number of marks, then per mark: partition id, pending partition JSON, max partitions,
--       cap on changed ids, latch expiry in s (0: manual view, no latch), id count, the ids…
-- Returns one code per mark: 1 the caller must queue a refresh, 0 nothing to send, -1 the view is
-- at its cap on partitions (the change is not recorded).

local out = {}
local a = 2
for m = 1, tonumber(ARGV[1]) do
  local parts, changed, latch = KEYS[m * 3 - 2], KEYS[m * 3 - 1], KEYS[m * 3]
  local pid, pending, maxParts = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  local cap, ttl, n = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local ok = true
  if redis.call('HEXISTS', parts, pid) == 0 then
    if redis.call('HLEN', parts) >= maxParts then ok = false
    else redis.call('HSET', parts, pid, pending) end
  end
  if ok then
    for i = 1, n do
      if redis.call('SCARD', changed) >= cap then
        redis.call('SADD', changed, '*')
        break
      end
      redis.call('SADD', changed, ARGV[a + 5 + i])
    end
    if ttl > 0 and redis.call('SET', latch, '1', 'NX', 'EX', ttl) then out[m] = 1 else out[m] = 0 end
  else
    out[m] = -1
  end
  a = a + 6 + n
end
return out
