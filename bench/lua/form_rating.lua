-- POST the HTML rating form (CSRF token and session cookie fetched beforehand), a random
-- municipality and subject each time, no respondent cookie (each request is a new respondent).
-- wrk ... -s form_rating.lua URL -- PAIRS_FILE COOKIE CSRF_TOKEN STARTED
local pairs_ = {}
local threads = {}
created = 0
other = 0
id = 0
local cookie, token, started

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
  cookie, token, started = args[2], args[3], args[4]
  math.randomseed(os.time() + id * 104729)
end

function request()
  local p = pairs_[math.random(#pairs_)]
  local body = "csrf_token=" .. escape(token) .. "&started=" .. escape(started) .. "&overall=" .. math.random(5)
  return wrk.format("POST", "/ky/m/" .. p[1] .. "/rate/" .. p[2],
    {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}, body)
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
