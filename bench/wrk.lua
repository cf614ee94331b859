-- wrk script: cycle through a file of request paths, count non-2xx, print one JSON line.
-- usage: wrk ... -s bench/wrk.lua http://host:port -- /path/to/paths.txt [header-name header-value]
-- A line is a GET path, or tab-separated: METHOD, path, body (may be empty), then any number of
-- "Name: value" headers for that request alone (bench/soak.py writes these).
local threads = {}
local paths = {}
local counter = 0
bad = 0  -- a global: done() reads it from each thread with thread:get

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function parse(line)
  if not line:find("\t", 1, true) then return line end
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, field) end
  local headers = {}
  for i = 4, #fields do
    local name, value = fields[i]:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  local body = fields[3]
  if body == "" then body = nil end
  return {method = fields[1], path = fields[2], body = body, headers = headers}
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(paths, parse(line)) end
  end
  if args[2] then wrk.headers[args[2]] = args[3] end
  counter = id * 7919
end

function request()
  counter = counter + 1
  local item = paths[(counter % #paths) + 1]
  if type(item) == "string" then return wrk.format("GET", item) end
  return wrk.format(item.method, item.path, item.headers, item.body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do total_bad = total_bad + (t:get("bad") or 0) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, math.max(total_bad, summary.errors.status),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
