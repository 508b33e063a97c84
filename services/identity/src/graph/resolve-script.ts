import { GRAPH_PRELUDE } from './graph-prelude';

/**
 * The resolution step, run atomically inside Redis for a whole batch of events. Every key it
 * touches starts with the graph base `<prefix>{<graph>}` and so hashes to one Redis Cluster slot
 * (see docs/identity.md, "Key design"). Layout under the base B:
 *   B:i:<bucket>  hash  identifier field (bytes 5..16 of the hash; bytes 1..4 chose the bucket) -> profile number
 *   B:p:<bucket>  hash  profile number -> record: uuid (16 raw bytes) .. 'r' created,updated (base 36 seconds),code:n;...  (root)
 *                                                   uuid .. 'a' parentNumber                          (absorbed)
 *   B:q:<bucket>  hash  identifier field -> 'Q' (quarantined) or fan-in fingerprints (4 bytes each)
 *   B:seq, B:types (type name -> code), B:pending (event id -> msgpack outcome), B:meta
 *
 * ARGV: base, buckets, limitsJson, nowSeconds, nEvents, then per event:
 *   eventId, candidateUuid (16 raw bytes), n, then n x (type, bucket, field, qmax, fingerprints, linkRule)
 * Identifiers arrive sorted by priority (highest first). Reply per event:
 *   { profileUuid | '', isNew, {k, outcome, rule, detail, ...}, {survivor, absorbed, k, rule, ...}, {quarantinedK...} }
 */
export const RESOLVE_SCRIPT =
  GRAPH_PRELUDE +
  String.raw`
local limits = cjson.decode(ARGV[3])
local now = tonumber(ARGV[4])
local nEvents = tonumber(ARGV[5])
local function limitOf(code) return limits[codeType[code]] or limits['*'] end

local function violation(a, b)
  local seen = {}
  for code, _ in pairs(a) do seen[code] = true end
  for code, _ in pairs(b) do seen[code] = true end
  for code, _ in pairs(seen) do
    local x, y = a[code] or 0, b[code] or 0
    local limit = limitOf(code)
    if x + y > limit and x + y > x and x + y > y then
      return codeType[code], x + y, limit
    end
  end
  return nil
end

local function hasFp(set, fp)
  for i = 1, #set, 4 do
    if string.sub(set, i, i + 3) == fp then return true end
  end
  return false
end

local function resolveEvent(candidateUuid, ids)
  local decisions, merges, quarantinedNow = {}, {}, {}
  local function decide(k, outcome, rule, detail)
    decisions[#decisions + 1] = k; decisions[#decisions + 1] = outcome
    decisions[#decisions + 1] = rule; decisions[#decisions + 1] = detail or ''
  end
  local linkable, candidates = {}, {}
  local quarantinedRoot = nil
  local regularKnown = false
  for k, x in ipairs(ids) do
    x.k = k
    x.ikey = base .. ':i:' .. x.bucket
    local pid = redis.call('HGET', x.ikey, x.hash)
    if pid then
      local id = tonumber(pid)
      x.root = find(id)
      if x.root and x.root.id ~= id then redis.call('HSET', x.ikey, x.hash, int(x.root.id)) end
    end
    local qkey = base .. ':q:' .. x.bucket
    local quarantined = false
    local qv = redis.call('HGET', qkey, x.hash)
    if qv == 'Q' then
      quarantined = true
      decide(k, 'refused_quarantine', 'quarantine:' .. x.type, 'value is quarantined')
    elseif x.qmax > 0 and #x.fps > 0 and x.linkRule == '' then
      local set, changed = qv or '', false
      for f = 1, #x.fps, 4 do
        local fp = string.sub(x.fps, f, f + 3)
        if not hasFp(set, fp) then set = set .. fp; changed = true end
      end
      local distinct = #set / 4
      if distinct > x.qmax then
        redis.call('HSET', qkey, x.hash, 'Q')
        quarantined = true
        quarantinedNow[#quarantinedNow + 1] = k
        decide(k, 'refused_quarantine', 'quarantine:' .. x.type,
          'seen with ' .. int(distinct) .. ' distinct strong identifiers (max ' .. int(x.qmax) .. ')')
      elseif changed then
        redis.call('HSET', qkey, x.hash, set)
      end
    end
    if quarantined then
      if x.root and not quarantinedRoot then quarantinedRoot = x.root end
    elseif x.linkRule ~= '' then
      candidates[#candidates + 1] = x
    else
      linkable[#linkable + 1] = x
      if x.root then regularKnown = true end
    end
  end
  -- Probabilistic candidates only place events whose own identifiers are all unknown.
  if not regularKnown then
    for _, c in ipairs(candidates) do
      if c.root then linkable[#linkable + 1] = c end
    end
  end

  local acc = nil
  local attach = {}
  for _, x in ipairs(linkable) do
    local code = codeOf(x.type)
    local root = x.root and find(x.root.id)
    if root then
      if acc == nil then
        acc = root
        decide(x.k, 'known', '', '')
      elseif acc == root then
        decide(x.k, 'known', '', '')
      else
        local vtype, total, limit = violation(acc.counts, root.counts)
        if vtype then
          decide(x.k, 'refused_limit', 'limit:' .. vtype,
            'profile would hold ' .. int(total) .. ' ' .. vtype .. ' identifiers (limit ' .. int(limit) .. ')')
        elseif acc.virtual then
          for c, n in pairs(acc.counts) do root.counts[c] = (root.counts[c] or 0) + n end
          root.dirty = true
          acc = root
          decide(x.k, 'known', '', '')
        else
          local survivor, absorbed = acc, root
          if lessBytes(absorbed.uuid, survivor.uuid) then survivor, absorbed = absorbed, survivor end
          for c, n in pairs(absorbed.counts) do survivor.counts[c] = (survivor.counts[c] or 0) + n end
          if absorbed.created < survivor.created then survivor.created = absorbed.created end
          survivor.updated = now
          absorbed.parent = survivor.id
          absorbed.counts = nil
          absorbed.dirty = true; survivor.dirty = true
          local rule = x.linkRule
          if rule == '' then rule = 'exact:' .. x.type end
          merges[#merges + 1] = survivor.uuid; merges[#merges + 1] = absorbed.uuid
          merges[#merges + 1] = x.k; merges[#merges + 1] = rule
          decide(x.k, 'merged', rule, '')
          acc = survivor
        end
      end
    elseif x.linkRule == '' then
      if acc == nil then acc = { virtual = true, counts = {} } end
      local current = acc.counts[code] or 0
      local limit = limitOf(code)
      if current + 1 > limit then
        decide(x.k, 'refused_limit', 'limit:' .. x.type,
          'profile would hold ' .. int(current + 1) .. ' ' .. x.type .. ' identifiers (limit ' .. int(limit) .. ')')
      else
        acc.counts[code] = current + 1
        attach[#attach + 1] = x
      end
    end
  end

  local isNew = 0
  if acc == nil then
    if quarantinedRoot then acc = find(quarantinedRoot.id) end
  elseif acc.virtual then
    local id = redis.call('INCR', seqKey)
    local p = { id = id, uuid = candidateUuid, created = now, updated = now, counts = acc.counts, dirty = true }
    cache[id] = p
    acc = p
    isNew = 1
  end
  if acc and #attach > 0 then
    for _, x in ipairs(attach) do
      redis.call('HSET', x.ikey, x.hash, int(acc.id))
      decide(x.k, 'attached', 'new-identifier', '')
    end
    acc.updated = now
    acc.dirty = true
  end
  local uuid = ''
  if acc then uuid = acc.uuid end
  return { uuid, isNew, decisions, merges, quarantinedNow }
end

local out = {}
local pos = 6
for _ = 1, nEvents do
  local eventId, candidateUuid, n = ARGV[pos], ARGV[pos + 1], tonumber(ARGV[pos + 2])
  pos = pos + 3
  local stored = redis.call('HGET', pendingKey, eventId)
  if stored then
    out[#out + 1] = cmsgpack.unpack(stored)
    pos = pos + 6 * n
  else
    local ids = {}
    for k = 1, n do
      ids[k] = { type = ARGV[pos], bucket = ARGV[pos + 1], hash = ARGV[pos + 2], qmax = tonumber(ARGV[pos + 3]),
        fps = ARGV[pos + 4], linkRule = ARGV[pos + 5] }
      pos = pos + 6
    end
    local reply = resolveEvent(candidateUuid, ids)
    redis.call('HSET', pendingKey, eventId, cmsgpack.pack(reply))
    out[#out + 1] = reply
  end
end
flushProfiles()
return out
`;
