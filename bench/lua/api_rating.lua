-- POST /api/v1/ratings with a unique client_id and no cookie (each request is a new respondent), each
-- from an address of its own (X-Forwarded-For, as nginx passes it on).
-- wrk ... -s api_rating.lua URL -- PAIRS_FILE RUN_ID ; PAIRS_FILE lines: "municipality subject"
local pairs_ = {}
local threads = {}
local counter = 0
created = 0
other = 0
id = 0

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(args[1]) do
    local m, s = line:match("^(%S+)%s+(%S+)$")
    if m then pairs_[#pairs_ + 1] = {m, s} end
  end
  run = args[2]
  math.randomseed(os.time() + id * 7919)
end

-- A resident's address as the proxy in front (nginx) passes it on: a campaign's residents come from
-- many addresses, so the anti-abuse rules count per address as they do in production.
function address()
  return string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

function request()
  counter = counter + 1
  local p = pairs_[math.random(#pairs_)]
  local body = string.format(
    '{"municipality":"%s","subject":"%s","overall":%d,"client_id":"bench-%s-%d-%d"}',
    p[1], p[2], math.random(5), run, id, counter)
  return wrk.format("POST", "/api/v1/ratings", {["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = address()}, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("ACK %d OTHER %d\n", c, o))
end
