-- test/bench/wrk.lua: the requests of make bench (test/bench/run) for wrk, and
-- one result line for the script to read. The mode comes from the environment
-- because wrk decides before any thread starts whether requests are dynamic:
-- in mode "plain" no request() exists, so wrk sends its one prepared request
-- and the Lua cost stays out of the static-file ceiling (run C).
--
--   BENCH_WRK_MODE=plain     GET the URL as given
--   BENCH_WRK_MODE=cookies   GET the URL with a session cookie drawn at random,
--                            per request, from the lines of BENCH_WRK_FILE
--   BENCH_WRK_MODE=login     POST /login; BENCH_WRK_FILE holds the pre-session
--                            token, the password, then user names (one drawn
--                            at random per request)
--
-- Last line of the output:
--   BENCH requests=N duration_us=N connect=N read=N write=N status=N timeout=N
--         p50_us=N p99_us=N mean_us=N max_us=N

local mode = os.getenv("BENCH_WRK_MODE") or "plain"
local file = os.getenv("BENCH_WRK_FILE")

local function read_lines(path)
	local out = {}
	for line in io.lines(path) do
		if line ~= "" then
			out[#out + 1] = line
		end
	end
	return out
end

-- Each thread draws its own sequence, the same one on every run.
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("thread_no", threads)
end

if mode == "cookies" then
	-- One request per cookie, made once: building each request anew costs the
	-- load generator CPU that the server under test then lacks.
	local requests

	function init()
		math.randomseed(1000 + (thread_no or 0))
		requests = {}
		for _, cookie in ipairs(read_lines(file)) do
			requests[#requests + 1] =
				wrk.format(nil, nil, { ["Cookie"] = "__Host-portal_session=" .. cookie })
		end
		assert(#requests > 0, "no cookies in " .. tostring(file))
	end

	function request()
		return requests[math.random(#requests)]
	end
elseif mode == "login" then
	local presession, password, users

	function init()
		math.randomseed(2000 + (thread_no or 0))
		local lines = read_lines(file)
		presession, password = lines[1], lines[2]
		users = {}
		for i = 3, #lines do
			users[#users + 1] = lines[i]
		end
		assert(#users > 0, "no user names in " .. tostring(file))
	end

	function request()
		local body = "username=" .. users[math.random(#users)] .. "&password=" .. password
			.. "&csrf=" .. presession
		return wrk.format("POST", "/login", {
			["Cookie"] = "__Host-portal_presession=" .. presession,
			["Content-Type"] = "application/x-www-form-urlencoded",
		}, body)
	end
elseif mode ~= "plain" then
	error("BENCH_WRK_MODE must be plain, cookies or login, not " .. mode)
end

function done(summary, latency)
	local e = summary.errors
	io.write(string.format("BENCH requests=%d duration_us=%d connect=%d read=%d write=%d "
		.. "status=%d timeout=%d p50_us=%d p99_us=%d mean_us=%d max_us=%d\n",
		summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
