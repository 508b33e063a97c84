/**
 * Shared head of every graph script: reads ARGV[1] (graph base key) and ARGV[2] (bucket count),
 * refuses to run against a graph built with another bucket count, and defines the type dictionary,
 * profile record codec and union-find `find` with path compression. KEYS: seq, types, pending, meta.
 * Profiles are cached per script call and written back by `flushProfiles()`.
 */
export const GRAPH_PRELUDE = String.raw`
local base = ARGV[1]
local buckets = tonumber(ARGV[2])
local seqKey, typesKey, pendingKey, metaKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local storedBuckets = redis.call('HGET', metaKey, 'buckets')
if not storedBuckets then
  redis.call('HSET', metaKey, 'buckets', ARGV[2])
elseif storedBuckets ~= ARGV[2] then
  return redis.error_reply('GRAPH_BUCKETS_MISMATCH graph was built with ' .. storedBuckets .. ' buckets; rebuild it')
end
local function int(n) return string.format('%d', n) end
local DIGITS36 = '0123456789abcdefghijklmnopqrstuvwxyz'
-- Timestamps are stored in base 36 (6 characters for epoch seconds instead of 10).
local function b36(n)
  n = math.floor(n)
  if n <= 0 then return '0' end
  local s = ''
  while n > 0 do
    local d = n % 36
    s = string.sub(DIGITS36, d + 1, d + 1) .. s
    n = (n - d) / 36
  end
  return s
end

local typeCode, codeType = {}, {}
local all = redis.call('HGETALL', typesKey)
for i = 1, #all, 2 do
  if all[i] ~= '#' then typeCode[all[i]] = all[i + 1]; codeType[all[i + 1]] = all[i] end
end
local function codeOf(t)
  local c = typeCode[t]
  if not c then
    c = int(redis.call('HINCRBY', typesKey, '#', 1))
    redis.call('HSET', typesKey, t, c)
    typeCode[t] = c; codeType[c] = t
  end
  return c
end

-- Byte-wise comparison: Lua's '<' uses strcoll, which is locale-dependent on binary data.
local function lessBytes(a, b)
  for i = 1, 16 do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return false
end

local cache = {}
local function pkey(id) return base .. ':p:' .. int(id % buckets) end
local function load(id)
  local p = cache[id]
  if p then return p end
  local rec = redis.call('HGET', pkey(id), int(id))
  if not rec then return nil end
  p = { id = id, uuid = string.sub(rec, 1, 16) }
  if string.sub(rec, 17, 17) == 'a' then
    p.parent = tonumber(string.sub(rec, 18))
  else
    local c1 = string.find(rec, ',', 18, true)
    local c2 = string.find(rec, ',', c1 + 1, true)
    p.created = tonumber(string.sub(rec, 18, c1 - 1), 36)
    p.updated = tonumber(string.sub(rec, c1 + 1, c2 - 1), 36)
    p.counts = {}
    for code, n in string.gmatch(string.sub(rec, c2 + 1), '(%d+):(%d+)') do p.counts[code] = tonumber(n) end
  end
  cache[id] = p
  return p
end
local function save(p)
  local v
  if p.parent then
    v = p.uuid .. 'a' .. int(p.parent)
  else
    local parts = {}
    for code, n in pairs(p.counts) do
      if n > 0 then parts[#parts + 1] = code .. ':' .. int(n) end
    end
    table.sort(parts)
    v = p.uuid .. 'r' .. b36(p.created) .. ',' .. b36(p.updated) .. ',' .. table.concat(parts, ';')
  end
  redis.call('HSET', pkey(p.id), int(p.id), v)
end
-- Union-find root with path compression of the profiles on the way.
local function find(id)
  local p = load(id)
  if not p then return nil end
  local chain = {}
  while p.parent do
    chain[#chain + 1] = p
    local parent = load(p.parent)
    if not parent then return nil end
    p = parent
  end
  for _, q in ipairs(chain) do
    if q.parent ~= p.id then q.parent = p.id; q.dirty = true end
  end
  return p
end

local function flushProfiles()
  for _, p in pairs(cache) do
    if p.dirty then save(p); p.dirty = false end
  end
end
`;
