import { createHash } from 'node:crypto';
import { ASSUMED_WINDOW_MARGIN } from '../rate-limit/bucket-window.js';

/**
 * The Lua scripts of the Redis rate-limit store: one per operation (acquire, complete, cancel), each atomic and timed
 * by Redis's own `TIME`, so processes with skewed clocks agree. They do exactly what `MemoryRateLimitStore` does (the
 * reference: read it side by side).
 *
 * Key layout, under the store's prefix `P` (default `dum:`); every key carries a TTL, so state expires by itself:
 *
 * | key | type | content | TTL |
 * |---|---|---|---|
 * | `P` `routes` | hash | route key → `h:<bucket hash>` (learned) or `u` (answers carry no rate-limit headers) | 24 h after the last request |
 * | `P` `bucket:<bucket>` | hash | `known`, `unlimited`, `limit`, `remaining`, `reset_at`, `window_known`, `window_assumed`, `window_ms`, `paused_until`, `epoch` | 10 min after last use (longer while a window or pause runs) |
 * | `P` `bucket-inflight:<bucket>` | sorted set | reservation id → expiry time | as its bucket |
 * | `P` `global:inflight` | sorted set | reservation id → expiry, for requests that count in the global window | the reservation TTL |
 * | `P` `global:released` | sorted set | reservation id → time its global slot frees up (answer + window) | the global window |
 * | `P` `global:paused` | string | time a global 429 or the invalid-request ban ends | until then |
 * | `P` `invalid:log` | sorted set | reservation id → time of its 401/403/non-shared 429 answer | the invalid-request window |
 * | `P` `invalid:inflight` | sorted set | reservation id → expiry, for every reservation (it may turn out invalid) | the reservation TTL |
 * | `P` `state` | hash | `generation` (changes when the state is lost), `warm_until` (no grant before, after a loss) | 24 h after the last request |
| `P` `global:sent` | sorted set | reservation id → time it was granted, for requests that count in the global window | a window plus the reservation TTL |
| `P` `answered` | sorted set | reservation id → time of its last answer heard before it settled (observe) | the reservation TTL |
| `P` `global:counted` | sorted set | `<id>#<time>` → time its request was answered with anything but a global 429 | a window plus the reservation TTL |
| `P` `global:learned` | hash | `limit`, `raised_at`, `lowered_at`, `interval`: a global limit learned from global 429s | until probing would reach the configured limit |
 *
 * `<bucket>` is `hash:major` once a route's hash is known, else `routeKey|major`. Reservation ids are
 * `<uuid>.<epoch>`, the epoch being the bucket's window count at grant time. Times are milliseconds of Redis's clock.
 *
 * The scripts derive bucket key names from the route map at run time, so they need every key on one server: a
 * standalone Redis or a primary with replicas (Sentinel), not Redis Cluster.
 *
 * @module
 */

/** A script with its SHA1, for `EVALSHA` (falling back to `EVAL` when the server's script cache lost it). */
export interface RedisScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

/** Number of `KEYS` every script takes (see {@link redisRateLimitKeys}). */
export const REDIS_RATE_LIMIT_KEY_COUNT = 10;

/**
 * The fixed keys of one prefix, in the order the scripts take them as `KEYS` (bucket keys are named by the scripts).
 *
 * @param prefix - the store's key prefix
 * @returns routes, global in-flight, global released, global pause, invalid log, invalid in-flight, global sent,
 *   learned global limit, answered reservations, global requests counted
 */
export function redisRateLimitKeys(prefix: string): readonly string[] {
  return [
    `${prefix}routes`,
    `${prefix}global:inflight`,
    `${prefix}global:released`,
    `${prefix}global:paused`,
    `${prefix}invalid:log`,
    `${prefix}invalid:inflight`,
    `${prefix}global:sent`,
    `${prefix}global:learned`,
    `${prefix}answered`,
    `${prefix}global:counted`,
  ];
}

const PRELUDE = `
local K_ROUTES, K_GLOBAL_INFLIGHT, K_GLOBAL_RELEASED, K_GLOBAL_PAUSED, K_INVALID_LOG, K_INVALID_INFLIGHT =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local K_GLOBAL_SENT, K_GLOBAL_LEARNED, K_ANSWERED, K_GLOBAL_COUNTED = KEYS[7], KEYS[8], KEYS[9], KEYS[10]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function num(value, default)
  local n = tonumber(value)
  if n == nil then return default end
  return n
end

-- Sets a TTL of at least ttl ms (never shortens one); a missing key is left alone.
local function extend(key, ttl)
  ttl = math.max(1, math.ceil(ttl))
  local current = redis.call('PTTL', key)
  if current ~= -2 and current < ttl then redis.call('PEXPIRE', key, ttl) end
end

-- Drops the entries of a sorted set timed <= now; returns how many are left.
local function live(key, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  return redis.call('ZCARD', key)
end

local function is_live(key, id, now)
  local score = redis.call('ZSCORE', key, id)
  return score ~= false and tonumber(score) > now
end

-- How long to wait for a slot held by requests in flight: a short poll, or until the first of them expires.
local function poll(key, now, poll_ms)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local wait = poll_ms
  if first[2] then wait = math.min(wait, tonumber(first[2]) - now) end
  return math.max(1, wait)
end

-- The n-th smallest score (1-based) of a sorted set, or nil.
local function nth(key, n)
  if n < 1 then return nil end
  local entry = redis.call('ZRANGE', key, n - 1, n - 1, 'WITHSCORES')
  if entry[2] then return tonumber(entry[2]) end
  return nil
end

local function flag(value)
  if value then return '1' end
  return '0'
end

local function load_bucket(prefix, bucket_key, route_key, now)
  local key = prefix .. 'bucket:' .. bucket_key
  local f = redis.call('HMGET', key, 'known', 'unlimited', 'limit', 'remaining', 'reset_at', 'window_known',
    'paused_until', 'epoch', 'window_assumed', 'window_ms')
  local b = { key = key, inflight = prefix .. 'bucket-inflight:' .. bucket_key, exists = f[1] ~= false, dirty = false }
  if b.exists then
    b.known = f[1] == '1'
    b.unlimited = f[2] == '1'
    b.limit = num(f[3], 1)
    b.remaining = num(f[4], 1)
    b.reset_at = num(f[5], 0)
    b.window_known = f[6] == '1'
    b.paused_until = num(f[7], 0)
    b.epoch = num(f[8], 0)
    b.window_assumed = f[9] == '1'
    b.window_ms = num(f[10], 0)
  else
    -- A route known to answer without rate-limit headers makes its unhashed buckets unlimited.
    local unlimited = false
    if string.sub(bucket_key, 1, string.len(route_key) + 1) == route_key .. '|' then
      unlimited = redis.call('HGET', K_ROUTES, route_key) == 'u'
    end
    b.known = unlimited
    b.unlimited = unlimited
    b.limit = 1
    b.remaining = 1
    b.reset_at = 0
    b.window_known = false
    b.paused_until = 0
    b.epoch = 0
    b.window_assumed = false
    b.window_ms = 0
    b.dirty = true
  end
  -- Start a new window once the known one has ended; requests still in flight may count in the new one.
  if b.known and not b.unlimited and b.window_known and now >= b.reset_at then
    b.epoch = b.epoch + 1
    b.window_known = false
    b.window_assumed = false
    b.remaining = math.max(0, b.limit - live(b.inflight, now))
    b.dirty = true
  end
  return b
end

local function save_bucket(b, now, keep_ms)
  redis.call('HSET', b.key, 'known', flag(b.known), 'unlimited', flag(b.unlimited), 'limit', b.limit,
    'remaining', b.remaining, 'reset_at', b.reset_at, 'window_known', flag(b.window_known),
    'paused_until', b.paused_until, 'epoch', b.epoch, 'window_assumed', flag(b.window_assumed),
    'window_ms', b.window_ms)
  local keep = math.max(keep_ms, b.paused_until - now, b.reset_at - now)
  extend(b.key, keep)
  extend(b.inflight, keep)
end

local function epoch_of(id)
  return tonumber(string.match(id, '%.(%d+)$'))
end

-- An answer without rate-limit headers, or none: assume the request used a window that began now and lasts the
-- longest Reset-After seen times ASSUMED_WINDOW_MARGIN, rather than probe into one that may be exhausted
-- (bucket-window.ts: assumeWindow, assumedWindowMs). The
-- stored window is read as it is, not rolled (a window that has ended is rolled by the next acquire).
local function assume_window(prefix, bucket_key, id, now, bucket_idle)
  local key = prefix .. 'bucket:' .. bucket_key
  local f = redis.call('HMGET', key, 'known', 'unlimited', 'window_known', 'window_ms', 'epoch')
  if f[1] ~= '1' or f[2] == '1' or f[3] == '1' then return end
  local window_ms = num(f[4], 0)
  if window_ms <= 0 or epoch_of(id) ~= num(f[5], 0) then return end
  local assumed_ms = math.ceil(window_ms * ${ASSUMED_WINDOW_MARGIN})
  redis.call('HSET', key, 'window_known', '1', 'window_assumed', '1', 'reset_at', now + assumed_ms)
  extend(key, math.max(bucket_idle, assumed_ms))
end

-- The global limit in force: the configured one, or the one learned from global 429s, raised by one per probe
-- interval without a global 429 (rate-limit-state.ts: globalLimit).
local function global_limit(configured, now)
  local f = redis.call('HMGET', K_GLOBAL_LEARNED, 'limit', 'raised_at', 'interval')
  if not f[1] then return configured end
  local limit, raised_at, interval = tonumber(f[1]), tonumber(f[2]), tonumber(f[3])
  local steps = math.floor((now - raised_at) / interval)
  if steps > 0 then
    limit = limit + steps
    redis.call('HSET', K_GLOBAL_LEARNED, 'limit', limit, 'raised_at', raised_at + steps * interval)
  end
  if limit >= configured then
    redis.call('DEL', K_GLOBAL_LEARNED)
    return configured
  end
  return math.max(1, limit)
end

local function bucket_key_of(route_key, major)
  local route = redis.call('HGET', K_ROUTES, route_key)
  if route and string.sub(route, 1, 2) == 'h:' then return string.sub(route, 3) .. ':' .. major end
  return route_key .. '|' .. major
end
`;

/**
 * `acquire`: `KEYS` as {@link redisRateLimitKeys}; `ARGV`: prefix, route key, major parameter, exempt (`1`/`0`),
 * global limit, global window ms, max in flight per bucket, invalid limit, invalid window ms, reservation TTL ms,
 * reservation token, answer poll ms, bucket idle ms, routes idle ms. Returns `{1, id, bucket}` or
 * `{0, reason, retryInMs}`.
 */
const ACQUIRE = `${PRELUDE}
local prefix, route_key, major = ARGV[1], ARGV[2], ARGV[3]
local exempt = ARGV[4] == '1'
local global_limit_configured, global_window = tonumber(ARGV[5]), tonumber(ARGV[6])
local max_in_flight = tonumber(ARGV[7])
local invalid_limit, invalid_window = tonumber(ARGV[8]), tonumber(ARGV[9])
local ttl, token, poll_ms = tonumber(ARGV[10]), ARGV[11], tonumber(ARGV[12])
local bucket_idle, routes_idle = tonumber(ARGV[13]), tonumber(ARGV[14])
local now = now_ms()

live(K_GLOBAL_INFLIGHT, now)
live(K_GLOBAL_RELEASED, now)
live(K_INVALID_INFLIGHT, now)
redis.call('ZREMRANGEBYSCORE', K_INVALID_LOG, '-inf', now - invalid_window)
redis.call('ZREMRANGEBYSCORE', K_GLOBAL_SENT, '-inf', now - global_window - ttl)

-- The longest wait decides; on a tie the first (most general) reason is kept.
local reason, wait = false, 0
local function block(why, ms)
  if (not reason) or ms > wait then
    reason = why
    wait = ms
  end
end

-- State loss: a client that saw this prefix's state before (ARGV[15], its generation) and finds it gone knows Redis
-- restarted or was flushed. Requests made before may still count in Discord's current windows, so nothing is
-- granted for one global window (a fresh prefix, seen by no one, starts at once).
local K_STATE = prefix .. 'state'
local seen_generation = ARGV[15]
local generation = redis.call('HGET', K_STATE, 'generation')
if not generation then
  generation = token
  local warm_until = 0
  if seen_generation ~= '' then warm_until = now + global_window end
  redis.call('HSET', K_STATE, 'generation', generation, 'warm_until', warm_until)
end
redis.call('PEXPIRE', K_STATE, routes_idle)
local warm_until = tonumber(redis.call('HGET', K_STATE, 'warm_until')) or 0
if warm_until > now then block('global', warm_until - now) end

local invalid_count = redis.call('ZCARD', K_INVALID_LOG)
local in_flight_total = redis.call('ZCARD', K_INVALID_INFLIGHT)
if invalid_count + in_flight_total >= invalid_limit then
  -- Requests in flight may all turn out invalid; once they are answered the budget is known again.
  if in_flight_total > 0 then
    block('invalid-budget', poll(K_INVALID_INFLIGHT, now, poll_ms))
  else
    local oldest = nth(K_INVALID_LOG, invalid_count - invalid_limit + 1)
    if oldest then block('invalid-budget', oldest + invalid_window - now) else block('invalid-budget', invalid_window) end
  end
end

local paused = num(redis.call('GET', K_GLOBAL_PAUSED), 0)
if paused > now then block('paused', paused - now) end

local limit_in_force = global_limit(global_limit_configured, now)
if not exempt then
  local released = redis.call('ZCARD', K_GLOBAL_RELEASED)
  local used = redis.call('ZCARD', K_GLOBAL_INFLIGHT) + released
  if used >= limit_in_force then
    local needed = used - limit_in_force + 1
    local free_at = nil
    if needed <= released then free_at = nth(K_GLOBAL_RELEASED, needed) end
    if free_at then block('global', free_at - now) else block('global', poll(K_GLOBAL_INFLIGHT, now, poll_ms)) end
  end
end

local bucket_key = bucket_key_of(route_key, major)
local b = load_bucket(prefix, bucket_key, route_key, now)
if b.paused_until > now then block('paused', b.paused_until - now) end
local in_flight = live(b.inflight, now)
if in_flight >= max_in_flight then
  block('bucket', poll(b.inflight, now, poll_ms))
elseif not b.known then
  if in_flight > 0 then block('bucket', poll(b.inflight, now, poll_ms)) end
elseif (not b.unlimited) and b.remaining <= 0 then
  if b.window_known then
    block('bucket', b.reset_at - now)
  elseif in_flight > 0 then
    block('bucket', poll(b.inflight, now, poll_ms))
  end
  -- else: the window is unknown and no answer will come to teach it: probe with one request at a time.
end
-- Requests sent before the route's hash was learned (from another major parameter's answer) count in the real bucket
-- too, but were reserved under the unhashed key: wait for their answers, whose headers tell the rest
-- (rate-limit-state.ts: check).
local unhashed_key = route_key .. '|' .. major
if bucket_key ~= unhashed_key then
  local unhashed_inflight = prefix .. 'bucket-inflight:' .. unhashed_key
  if live(unhashed_inflight, now) > 0 then block('bucket', poll(unhashed_inflight, now, poll_ms)) end
end

if reason then
  if b.dirty then save_bucket(b, now, bucket_idle) end
  return { 0, reason, math.max(1, math.ceil(wait)), generation }
end

local id = token .. '.' .. tostring(b.epoch)
local expires_at = now + ttl
redis.call('ZADD', b.inflight, expires_at, id)
if b.known and (not b.unlimited) and b.remaining > 0 then b.remaining = b.remaining - 1 end
save_bucket(b, now, math.max(bucket_idle, ttl))
if not exempt then
  redis.call('ZADD', K_GLOBAL_INFLIGHT, expires_at, id)
  extend(K_GLOBAL_INFLIGHT, ttl)
  redis.call('ZADD', K_GLOBAL_SENT, now, id)
  extend(K_GLOBAL_SENT, global_window + ttl)
end
redis.call('ZADD', K_INVALID_INFLIGHT, expires_at, id)
extend(K_INVALID_INFLIGHT, ttl)
extend(K_ROUTES, routes_idle)
return { 1, id, bucket_key, generation, limit_in_force }
`;

/**
 * `complete`: `KEYS` as {@link redisRateLimitKeys}; `ARGV`: prefix, reservation id, reservation bucket, route key,
 * major parameter, exempt, global window ms, invalid window ms, reservation TTL ms, bucket idle ms, routes idle ms,
 * answered (`1` with the answer's fields, `2` answered and already observed, `0` no answer), status, bucket hash,
 * limit, remaining, reset-after ms, retry-after ms, scope, sub-limit (`1`/`0`/empty), banned (`1`/`0`), configured
 * global limit, first probe interval ms, learning safety, minimum evidence, maximum probe interval ms, mode
 * (`complete` releases the reservation; `observe` only learns, remembering the answer: one heard later means the
 * request was sent again); absent values are empty strings. Returns 1. (One script for both: one copy of the
 * learning steps.)
 */
const COMPLETE = `${PRELUDE}
local prefix, id, own_bucket, route_key, major = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local exempt = ARGV[6] == '1'
local global_window, invalid_window, ttl = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local bucket_idle, routes_idle = tonumber(ARGV[10]), tonumber(ARGV[11])
local now = now_ms()

live(K_GLOBAL_INFLIGHT, now)
live(K_GLOBAL_RELEASED, now)
live(K_INVALID_INFLIGHT, now)
redis.call('ZREMRANGEBYSCORE', K_INVALID_LOG, '-inf', now - invalid_window)
redis.call('ZREMRANGEBYSCORE', K_ANSWERED, '-inf', now - ttl)
redis.call('ZREMRANGEBYSCORE', K_GLOBAL_COUNTED, '-inf', now - global_window - ttl)
local observe_mode = ARGV[27] == 'observe'

-- An answer heard before this one (observe) means the transport sent the request again: that attempt counted as a
-- request of its own, its global slot held until a window after its answer (rate-limit-state.ts: repeated).
local previous = tonumber(redis.call('ZSCORE', K_ANSWERED, id))
if previous and ARGV[12] ~= '2' then
  if not exempt then
    redis.call('ZADD', K_GLOBAL_RELEASED, previous + global_window, id .. '#' .. previous)
    extend(K_GLOBAL_RELEASED, global_window)
  end
  local key = prefix .. 'bucket:' .. own_bucket
  local f = redis.call('HMGET', key, 'known', 'unlimited', 'remaining', 'epoch')
  if f[1] == '1' and f[2] ~= '1' and epoch_of(id) == num(f[4], 0) then
    redis.call('HSET', key, 'remaining', math.max(0, num(f[3], 0) - 1))
  end
end
if observe_mode then
  redis.call('ZADD', K_ANSWERED, now, id)
  extend(K_ANSWERED, ttl)
else
  redis.call('ZREM', K_ANSWERED, id)
end

if ARGV[12] == '1' then
  local status = tonumber(ARGV[13])
  local hash = ARGV[14]
  local limit, remaining, reset_after = tonumber(ARGV[15]), tonumber(ARGV[16]), tonumber(ARGV[17])
  local retry_after, scope = tonumber(ARGV[18]), ARGV[19]

  if status == 401 or status == 403 or (status == 429 and scope ~= 'shared') then
    redis.call('ZADD', K_INVALID_LOG, 'NX', now, id)
    extend(K_INVALID_LOG, invalid_window)
  end
  -- Discord counted this request in its global window unless it refused it globally (rate-limit-state.ts: learn).
  if not (status == 429 and (scope == 'global' or ARGV[21] == '1')) then
    if redis.call('ZSCORE', K_GLOBAL_SENT, id) then
      redis.call('ZADD', K_GLOBAL_COUNTED, now, id .. '#' .. now)
      extend(K_GLOBAL_COUNTED, global_window + ttl)
    end
  end

  local bucket_key = own_bucket
  if hash ~= '' then
    redis.call('HSET', K_ROUTES, route_key, 'h:' .. hash)
    extend(K_ROUTES, routes_idle)
    bucket_key = hash .. ':' .. major
  elseif status >= 200 and status < 300 and limit == nil then
    local route = redis.call('HGET', K_ROUTES, route_key)
    if not (route and string.sub(route, 1, 2) == 'h:') then
      -- Discord sends no rate-limit headers on routes without a per-route limit: only the global limit applies.
      redis.call('HSET', K_ROUTES, route_key, 'u')
      extend(K_ROUTES, routes_idle)
      local b = load_bucket(prefix, bucket_key, route_key, now)
      b.known = true
      b.unlimited = true
      save_bucket(b, now, bucket_idle)
    end
  end

  if limit ~= nil and remaining ~= nil and reset_after ~= nil then
    local b = load_bucket(prefix, bucket_key, route_key, now)
    local in_flight = live(b.inflight, now)
    local candidate = now + reset_after
    b.window_ms = math.max(b.window_ms, reset_after)
    if (not b.known) or b.unlimited then
      -- First sight of this bucket: the answer counts every request Discord processed in the window (this one
      -- included), but not the others still in flight on this key.
      local others = in_flight
      if is_live(b.inflight, id, now) then others = others - 1 end
      b.known = true
      b.unlimited = false
      b.limit = limit
      b.remaining = remaining - others
      b.reset_at = candidate
      b.window_known = candidate > now
      if not b.window_known then b.remaining = limit - in_flight end
    elseif candidate > now then
      b.limit = limit
      local of_this_window = bucket_key == own_bucket and epoch_of(id) == b.epoch
      if b.window_assumed and of_this_window then
        -- A header of this window replaces the end assumed after an answer without one.
        b.window_assumed = false
        b.reset_at = candidate
      elseif not b.window_known then
        -- Only an answer to a request granted in the current window may start it: a late answer from the previous
        -- one describes a server window that has ended, and would end ours too early.
        if of_this_window then
          b.window_known = true
          b.reset_at = candidate
        end
      else
        b.reset_at = math.max(b.reset_at, candidate)
      end
      b.remaining = math.min(b.remaining, remaining)
    end
    save_bucket(b, now, bucket_idle)
  elseif status ~= 429 then
    assume_window(prefix, own_bucket, id, now, bucket_idle)
  end

  if status == 429 then
    local retry = retry_after or reset_after or 1000
    if ARGV[21] == '1' or scope == 'global' then
      local paused_until = math.max(num(redis.call('GET', K_GLOBAL_PAUSED), 0), now + retry)
      redis.call('SET', K_GLOBAL_PAUSED, paused_until, 'PX', math.max(1, math.ceil(paused_until - now)))
      -- A global 429 (not the ban): learn the lower limit the server keeps (rate-limit-state.ts: lowerGlobalLimit).
      local sent_at = tonumber(redis.call('ZSCORE', K_GLOBAL_SENT, id))
      if ARGV[21] ~= '1' and sent_at and retry <= global_window then
        local configured, first_interval = tonumber(ARGV[22]), tonumber(ARGV[23])
        local safety, min_evidence, max_interval = tonumber(ARGV[24]), tonumber(ARGV[25]), tonumber(ARGV[26])
        local current = global_limit(configured, now)
        local learned = redis.call('HMGET', K_GLOBAL_LEARNED, 'lowered_at', 'interval')
        local lowered_at = tonumber(learned[1])
        if not (lowered_at and sent_at <= lowered_at) then
          local window_start = sent_at - (global_window - retry)
          local counted = redis.call('ZCOUNT', K_GLOBAL_COUNTED, window_start, '+inf')
          -- And the ones sent before this one, still in flight with no answer heard (they reached the server first).
          for _, other in ipairs(redis.call('ZRANGEBYSCORE', K_GLOBAL_SENT, window_start, '(' .. sent_at)) do
            if other ~= id and redis.call('ZSCORE', K_GLOBAL_INFLIGHT, other)
              and not redis.call('ZSCORE', K_ANSWERED, other) then
              counted = counted + 1
            end
          end
          if counted >= min_evidence then
            local limit = math.max(1, math.min(current - 1, math.ceil(counted * safety)))
            if limit < current then
              local interval = first_interval
              if learned[2] then interval = math.min(max_interval, tonumber(learned[2]) * 2) end
              redis.call('HSET', K_GLOBAL_LEARNED, 'limit', limit, 'raised_at', now, 'lowered_at', now,
                'interval', interval)
              redis.call('PEXPIRE', K_GLOBAL_LEARNED, math.ceil((configured - limit + 1) * interval))
            end
          end
        end
      end
    else
      local shared = scope == 'shared'
      local sub_limit = false
      if not shared then
        if ARGV[20] == '1' then
          sub_limit = true
        elseif ARGV[20] == '' then
          sub_limit = remaining ~= nil and remaining > 0
        end
      end
      if not sub_limit then
        -- Exhausted (or shared): nothing more in this bucket until the wait is over.
        local b = load_bucket(prefix, bucket_key, route_key, now)
        b.paused_until = math.max(b.paused_until, now + retry)
        if not shared then
          b.remaining = 0
          b.window_known = true
          b.reset_at = math.max(b.reset_at, now + retry)
        end
        save_bucket(b, now, bucket_idle)
      end
    end
  end
end

if observe_mode then return 1 end

if ARGV[12] == '0' then assume_window(prefix, own_bucket, id, now, bucket_idle) end

local own_inflight = prefix .. 'bucket-inflight:' .. own_bucket
redis.call('ZREM', own_inflight, id)
extend(prefix .. 'bucket:' .. own_bucket, bucket_idle)
extend(own_inflight, bucket_idle)
redis.call('ZREM', K_INVALID_INFLIGHT, id)
if not exempt then
  redis.call('ZREM', K_GLOBAL_INFLIGHT, id)
  -- Discord counted the request in the window open when it arrived, which began no later than now: holding the slot
  -- until now + window can never let one request too many land in one window, whatever its alignment.
  redis.call('ZADD', K_GLOBAL_RELEASED, now + global_window, id)
  extend(K_GLOBAL_RELEASED, global_window)
end
return 1
`;

/**
 * `cancel`: `KEYS` as {@link redisRateLimitKeys}; `ARGV`: prefix, reservation id, reservation bucket, route key,
 * bucket idle ms. Returns 1.
 */
const CANCEL = `${PRELUDE}
local prefix, id, own_bucket, route_key = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local bucket_idle = tonumber(ARGV[5])
local now = now_ms()

local own_inflight = prefix .. 'bucket-inflight:' .. own_bucket
local was_live = is_live(own_inflight, id, now)
redis.call('ZREM', own_inflight, id)
redis.call('ZREM', K_INVALID_INFLIGHT, id)
redis.call('ZREM', K_GLOBAL_INFLIGHT, id)
-- Never sent: it does not count among the requests a global 429 is measured against.
if was_live then redis.call('ZREM', K_GLOBAL_SENT, id) end
if was_live and redis.call('EXISTS', prefix .. 'bucket:' .. own_bucket) == 1 then
  local b = load_bucket(prefix, own_bucket, route_key, now)
  -- The slot goes back only to the window it was taken from.
  if b.known and (not b.unlimited) and epoch_of(id) == b.epoch then
    b.remaining = math.min(b.limit, b.remaining + 1)
  end
  save_bucket(b, now, bucket_idle)
end
return 1
`;

function script(name: string, source: string): RedisScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** The three scripts of the Redis rate-limit store. */
export const REDIS_RATE_LIMIT_SCRIPTS = {
  acquire: script('acquire', ACQUIRE),
  complete: script('complete', COMPLETE),
  cancel: script('cancel', CANCEL),
} as const;
