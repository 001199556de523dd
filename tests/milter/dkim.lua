-- DKIM verified by the milter itself (DKIMKeyFile: keys from the fixture
-- key file): every mail of tests/fixtures/dkim gets the verdict its name
-- says (pass-*, fail-*, none-*) in its TLS-Report-Status, and a pass
-- names the signing domain and selector.
dofile(common)

-- miltertest overflows its stack on a header value of about 1000 bytes:
-- the overlong forged Authentication-Results fields (never signed) are
-- left out here; tests/test_verdict.c and the Postfix run send them.
-- (miltertest gives back the one leading space read_message() takes off,
-- as the milter asks for them: SMFIP_HDR_LEADSPC, for "simple"
-- canonicalization.)
local read_whole = read_message
function read_message(name)
	local headers, body = read_whole(name)
	local kept = {}
	for _, h in ipairs(headers) do
		if #h.value < 990 then
			table.insert(kept, h)
		end
	end
	return kept, body
end

run(function()
	local conn = connect()
	local dir = fixtures .. "/../dkim"
	local n = 0
	for name in io.popen("ls " .. dir):lines() do
		if name:match("%.eml$") then
			local want = name:match("^(%a+)%-")
			expect(conn, "<tlsrpt@example.com>", "../dkim/" .. name, SMFIR_CONTINUE, "eom")
			if mode == "require" and want ~= "pass" then
				expect_status(conn, 0, "^ignored; .*; auth=" .. want)
			else
				expect_status(conn, 0, "^stored; .*; auth=" .. want)
			end
			if want == "pass" then
				expect_status(conn, 0, "; dkim%-domain=[%w.]*example%.net; dkim%-selector=%w+$")
			end
			n = n + 1
		end
	end
	check(n >= 20, "only " .. n .. " fixtures")
	mt.disconnect(conn)
end)
