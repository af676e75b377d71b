-- POST the HTML rating form, a random municipality and subject each time, each post as a visitor of
-- its own: a session cookie, its CSRF token and its form stamp, one line of CREDENTIALS_FILE each
-- (fetched beforehand by bench.py, one GET of the form each; a stamp is single-use). OFFSET: lines
-- used by earlier runs. Each of wrk's threads takes every THREADS-th line from its own.
-- wrk -t2 ... -s form_rating.lua URL -- PAIRS_FILE CREDENTIALS_FILE OFFSET
local pairs_ = {}
local threads = {}
created = 0
other = 0
id = 0
local credentials = {}
local offset, sent = 0, 0
local THREADS = 2  -- bench.py runs wrk -t2

local function escape(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(args[1]) do
    local m, s = line:match("^(%S+)%s+(%S+)$")
    if m then pairs_[#pairs_ + 1] = {m, s} end
  end
  for line in io.lines(args[2]) do
    local c, t, s = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    if c then credentials[#credentials + 1] = {c, t, s} end
  end
  offset = tonumber(args[3])
  math.randomseed(os.time() + id * 104729)
end

-- A resident's address as the proxy in front (nginx) passes it on: a campaign's residents come from
-- many addresses, so the anti-abuse rules count per address as they do in production.
function address()
  return string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

function request()
  local p = pairs_[math.random(#pairs_)]
  local v = credentials[(offset + sent * THREADS + id - 1) % #credentials + 1]
  sent = sent + 1
  local body = "csrf_token=" .. escape(v[2]) .. "&started=" .. escape(v[3]) .. "&overall=" .. math.random(5)
  return wrk.format("POST", "/ky/m/" .. p[1] .. "/rate/" .. p[2],
    {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = v[1], ["X-Forwarded-For"] = address()}, body)
end

function response(status, headers, body)
  if status == 303 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("ACK %d OTHER %d\n", c, o))
end
