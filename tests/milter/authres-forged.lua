-- DKIMVerify no, TrustedAuthservIDs mx.example.com: an upstream verifier's
-- Authentication-Results are believed only above the first Received:
-- field (what the local MTA chain added).  Forged fields of every shape an
-- upstream verifier may leave in place (dkim/1=pass, unknown ptype, forty
-- results, an overlong field, a plain dkim=pass) arrive below it and are
-- never believed.
dofile(common)

local function send_with(conn, name, top)
	local all, body = read_message(name)
	-- miltertest overflows its stack on values of about 1000 bytes: the
	-- overlong and forty-result fields go through tests/test_verdict.c
	local headers = {}
	for _, h in ipairs(all) do
		if #h.value < 990 then
			table.insert(headers, h)
		end
	end
	for i = #top, 1, -1 do
		table.insert(headers, 1, top[i])
	end
	check(mt.rcptto(conn, "<tlsrpt@example.com>") == nil, "rcptto failed")
	check(mt.data(conn) == nil, "data failed")
	for _, h in ipairs(headers) do
		check(mt.header(conn, h.name, h.value) == nil, "header failed")
	end
	check(mt.eoh(conn) == nil, "eoh failed")
	check(mt.bodystring(conn, body) == nil, "body failed")
	check(mt.eom(conn) == nil, "eom failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, name .. ": not accepted")
end

local received = { name = "Received", value = "from mx.sender.example by mx.example.com" }
local local_pass = { name = "Authentication-Results",
                     value = "mx.example.com; dkim=pass header.d=example.net" }

run(function()
	local conn = connect()
	local dir = "../dkim/"
	-- forged fields below the local Received: never believed
	send_with(conn, dir .. "none-forged-ar.eml", { received })
	expect_status(conn, 0, "^stored; submitter=example%.net; .*; auth=none$")
	-- the same with a signature by another domain: still no pass
	send_with(conn, dir .. "fail-forged-ar-other-signer.eml", { received })
	expect_status(conn, 0, "^stored; submitter=example%.net; .*; auth=none$")
	-- the local verifier's field, above the Received: believed
	send_with(conn, dir .. "none-unsigned.eml", { local_pass, received })
	expect_status(conn, 0, "^stored; submitter=example%.net; .*; auth=pass$")
	mt.disconnect(conn)
end)
