-- wrk script for scripts/bench_http.sh: POST /api/v1/recommend with a mix of users.
--   MODE=warm  users drawn from the first WARM_USERS (their feeds are cached by the warm-up)
--   MODE=mix   90% warm users, 5% users seen for the first time, 5% new (unknown) users
--   MODE=cold  every request a user not asked for before (cache misses: SQL + user tower),
--              from the users above WARM_USERS (19,000 of them; a longer run repeats them)
--   MODE=warmup  each warm user once, in order (fills the cache before the timed runs)
local mode = os.getenv("MODE") or "mix"
local warm_users = tonumber(os.getenv("WARM_USERS") or "1000")
local all_users = tonumber(os.getenv("ALL_USERS") or "20000")
local key = os.getenv("API_KEY")
local page = os.getenv("PAGE_SIZE") or "20"
-- Each wrk thread runs its own Lua state: the thread count comes from the caller.
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
local next_id = 0
local counter = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  counter = 0
  math.randomseed(1000 + id)
  wrk.headers["Content-Type"] = "application/json"
  if key then wrk.headers["Authorization"] = "Bearer " .. key end
end

local function user(n)
  return string.format("gen-%07d", n % all_users)
end

local function body(u)
  return '{"user_id":"' .. u .. '","num_recommendations":' .. page .. '}'
end

function request()
  counter = counter + 1
  local u
  if mode == "warmup" then
    u = user((id + nthreads * (counter - 1)) % warm_users)
  elseif mode == "cold" then
    -- Disjoint per thread, never a warm user; runs before the mix, whose first-time users
    -- come from the same range.
    u = user(warm_users + (id + nthreads * counter) % (all_users - warm_users))
  else
    local r = math.random()
    if mode == "warm" or r < 0.90 then
      u = user(math.random(0, warm_users - 1))
    elseif r < 0.95 then
      u = user(warm_users + id + nthreads * counter)
    else
      u = "new-" .. id .. "-" .. counter
    end
  end
  return wrk.format("POST", nil, nil, body(u))
end
