-- wrk script for bench/family_home.py and bench/family_child.py: every request carries the
-- session cookie of the next guardian (each thread starts at a different one), answers other
-- than 200 are counted, and the summary is printed as "key value" lines for the Python side.
--
--   wrk -t1 -c8 -d30s -s bench/family_home.lua URL -- COOKIE_FILE COOKIE_NAME
-- COOKIE_FILE holds one session key per line, optionally followed by the path that guardian
-- asks for (a child's page); without one, every request asks for URL's own path.

local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("offset", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  keys, paths = {}, {}
  for line in io.lines(args[1]) do
    local key, path = line:match("^(%S+)%s*(%S*)$")
    if key then
      keys[#keys + 1] = key
      paths[#keys] = path ~= "" and path or nil
    end
  end
  cookie_name = args[2] or "sessionid"
  position = (offset or 0) * 37
  not_ok = 0
end

function request()
  position = position % #keys + 1
  return wrk.format("GET", paths[position], {
    ["Cookie"] = cookie_name .. "=" .. keys[position],
    ["X-Forwarded-Proto"] = "https",
  })
end

function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("not_ok") or 0) end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("bench.requests %d\n", summary.requests))
  io.write(string.format("bench.seconds %.3f\n", seconds))
  io.write(string.format("bench.rps %.2f\n", summary.requests / seconds))
  io.write(string.format("bench.p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("bench.p95_ms %.2f\n", latency:percentile(95) / 1000))
  io.write(string.format("bench.p99_ms %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("bench.max_ms %.2f\n", latency.max / 1000))
  io.write(string.format("bench.not_200 %d\n", bad))
  io.write(string.format("bench.socket_errors %d\n",
    errors.connect + errors.read + errors.write + errors.timeout))
end
