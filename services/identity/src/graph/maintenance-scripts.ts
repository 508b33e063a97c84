import { GRAPH_PRELUDE } from './graph-prelude';

/**
 * ARGV: base, buckets, then (bucket, hash) pairs. Reply: the root profile uuid (16 raw bytes) of
 * each identifier, '' when unknown. Reads only (no path compression), so it is safe on replicas.
 */
export const LOOKUP_SCRIPT =
  GRAPH_PRELUDE +
  String.raw`
local out = {}
for i = 3, #ARGV, 2 do
  local pid = redis.call('HGET', base .. ':i:' .. ARGV[i], ARGV[i + 1])
  local uuid = ''
  if pid then
    local root = find(tonumber(pid))
    if root then uuid = root.uuid end
  end
  out[#out + 1] = uuid
end
return out
`;

/**
 * Unmerge. ARGV: base, buckets, now, expectedRootUuid, nComponents, then per component:
 *   newUuid ('' = the component that keeps the existing profile), counts ('type:n;...'), n, n x (bucket, hash)
 * then the removed identifier's (bucket, hash), which is quarantined so it cannot re-link.
 * Refuses with CONFLICT when any listed identifier no longer resolves to the expected profile
 * (a concurrent merge moved it), so the operator retries against fresh evidence.
 */
export const SPLIT_SCRIPT =
  GRAPH_PRELUDE +
  String.raw`
local now = tonumber(ARGV[3])
local expected = ARGV[4]
local nComponents = tonumber(ARGV[5])
local components = {}
local pos = 6
local root = nil
for c = 1, nComponents do
  local comp = { uuid = ARGV[pos], counts = ARGV[pos + 1], ids = {} }
  local n = tonumber(ARGV[pos + 2])
  pos = pos + 3
  for k = 1, n do
    local ikey, hash = base .. ':i:' .. ARGV[pos], ARGV[pos + 1]
    pos = pos + 2
    local pid = redis.call('HGET', ikey, hash)
    if pid then
      local r = find(tonumber(pid))
      if r and r.uuid ~= expected then
        return redis.error_reply('CONFLICT identifier moved to another profile during unmerge')
      end
      if r then root = r end
    end
    comp.ids[#comp.ids + 1] = { ikey = ikey, hash = hash }
  end
  components[c] = comp
end
if not root then return redis.error_reply('NOT_FOUND profile has no identifiers in the graph') end
local function parseCounts(spec)
  local counts = {}
  for t, n in string.gmatch(spec, '([%w_]+):(%d+)') do counts[codeOf(t)] = tonumber(n) end
  return counts
end
for _, comp in ipairs(components) do
  local target
  if comp.uuid == '' then
    target = root
    target.counts = parseCounts(comp.counts)
    target.updated = now
    target.dirty = true
  else
    local id = redis.call('INCR', seqKey)
    target = { id = id, uuid = comp.uuid, created = now, updated = now, counts = parseCounts(comp.counts), dirty = true }
    cache[id] = target
  end
  for _, x in ipairs(comp.ids) do redis.call('HSET', x.ikey, x.hash, int(target.id)) end
end
redis.call('HSET', base .. ':q:' .. ARGV[pos], ARGV[pos + 1], 'Q')
flushProfiles()
return 'OK'
`;

/**
 * Erasure. ARGV: base, buckets, then (bucket, hash) pairs. Deletes each identifier's link, its
 * quarantine/fan-in entry, and every profile record on its path to the root. Reply: links deleted.
 */
export const ERASE_SCRIPT =
  GRAPH_PRELUDE +
  String.raw`
local deleted = 0
for i = 3, #ARGV, 2 do
  local ikey, hash = base .. ':i:' .. ARGV[i], ARGV[i + 1]
  local pid = redis.call('HGET', ikey, hash)
  if pid then
    local id = tonumber(pid)
    while id do
      local rec = redis.call('HGET', pkey(id), int(id))
      redis.call('HDEL', pkey(id), int(id))
      id = nil
      if rec and string.sub(rec, 17, 17) == 'a' then id = tonumber(string.sub(rec, 18)) end
    end
    deleted = deleted + redis.call('HDEL', ikey, hash)
  end
  redis.call('HDEL', base .. ':q:' .. ARGV[i], hash)
end
return deleted
`;

/**
 * Counts what is left of the given identifiers (links plus quarantine entries). ARGV: base,
 * buckets, then (bucket, hash) pairs.
 */
export const RESIDUE_SCRIPT =
  GRAPH_PRELUDE +
  String.raw`
local found = 0
for i = 3, #ARGV, 2 do
  found = found + redis.call('HEXISTS', base .. ':i:' .. ARGV[i], ARGV[i + 1])
  found = found + redis.call('HEXISTS', base .. ':q:' .. ARGV[i], ARGV[i + 1])
end
return found
`;
