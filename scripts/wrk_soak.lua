-- wrk script for scripts/soak.sh: paced requests (DELAY_MS between a connection's requests)
-- and a count of 4xx and 5xx answers, printed when the run ends.
--   SCENARIO=feed       POST /api/v1/recommend: 90% warm users, 5% first-time, 5% unknown
--   SCENARIO=analytics  campaign reports (by day, creative, segment, geo) of the campaigns
--                       CAMPAIGN_IDS, results of the studies STUDY_IDS, and now and then of
--                       the experiments EXPERIMENT_IDS (comma-separated, as soak.sh lists them)
local scenario = os.getenv("SCENARIO") or "feed"
local key = os.getenv("API_KEY")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local warm_users = tonumber(os.getenv("WARM_USERS") or "1000")
local all_users = tonumber(os.getenv("ALL_USERS") or "20000")
local function id_list(name, default)
  local out = {}
  for id in string.gmatch(os.getenv(name) or default, "%d+") do table.insert(out, id) end
  return out
end
local campaign_ids = id_list("CAMPAIGN_IDS", "1,2,3,4,5,6,7,8")
local study_ids = id_list("STUDY_IDS", "1,2")
local experiment_ids = id_list("EXPERIMENT_IDS", "1,2")
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  s4, s5 = 0, 0
  math.randomseed(2000 + id)
  wrk.headers["Content-Type"] = "application/json"
  if key then wrk.headers["Authorization"] = "Bearer " .. key end
end

function delay()
  return delay_ms
end

local function feed()
  local r = math.random()
  local u
  if r < 0.90 then
    u = string.format("gen-%07d", math.random(0, warm_users - 1))
  elseif r < 0.95 then
    u = string.format("gen-%07d", warm_users + (id + nthreads * counter) % (all_users - warm_users))
  else
    u = "soak-" .. id .. "-" .. counter
  end
  return wrk.format("POST", "/api/v1/recommend", nil, '{"user_id":"' .. u .. '","num_recommendations":20}')
end

local breakdowns = { '"day"', '"creative"', '"segment"', '"geo"' }

local function analytics()
  local n = counter % 40
  if n == 39 then
    return wrk.format("GET", "/api/v1/experiments/" .. experiment_ids[1 + counter % #experiment_ids] .. "/results")
  elseif n % 10 == 9 then
    return wrk.format("GET", "/api/v1/studies/" .. study_ids[1 + counter % #study_ids] .. "/results")
  end
  local body = '{"campaign_id":' .. campaign_ids[1 + counter % #campaign_ids] ..
    ',"breakdown":' .. breakdowns[1 + math.floor(counter / #campaign_ids) % #breakdowns] .. '}'
  return wrk.format("POST", "/api/v1/analytics/campaign", nil, body)
end

function request()
  counter = counter + 1
  if scenario == "analytics" then return analytics() end
  return feed()
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1 elseif status >= 400 then s4 = s4 + 1 end
end

function done(summary, latency, requests)
  local t4, t5 = 0, 0
  for _, t in ipairs(threads) do
    t4 = t4 + t:get("s4")
    t5 = t5 + t:get("s5")
  end
  io.write(string.format("status_4xx %d\nstatus_5xx %d\n", t4, t5))
end
