-- Home-page requests for random users from the reference user base (100k), so caches and the
-- store see a realistic spread of keys. Optional pacing: RATE requests/s over CONNECTIONS.
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "32")
math.randomseed(42)

function request()
  local path = "/v1/recommendations/home?user_id=" .. math.random(0, 99999) .. "&n=10"
  return wrk.format("GET", path)
end

if rate > 0 then
  function delay()
    return 1000 * connections / rate
  end
end
