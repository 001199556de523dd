-- Send generated report mails first..last (fixtures/mail-NNNNN.eml) over
-- one milter connection, printing one line per mail: its number and what
-- the milter did ("stored", "duplicate", "unstored" when accepted without
-- a status header, "tempfail", or "other").  With want set, every mail
-- must get that outcome.  With hook set, that shell command runs once
-- after mail hook_after, on the same connection: faults strike between
-- two messages of one SMTP session.
-- Globals from -D: sock, common, fixtures, first, last; want, hook,
-- hook_after optional.
dofile(common)

-- miltertest keeps every header a connection's milter added, newest
-- first: a message added one only when the count grew
local function status_count(conn)
	local n = 0
	while status_header(conn, n) ~= nil do
		n = n + 1
	end
	return n
end

run(function()
	mt.set_timeout(60)
	local conn = connect()
	for i = tonumber(first), tonumber(last) do
		local name = string.format("mail-%05d.eml", i)
		local before = status_count(conn)
		local r, stage = send_message(conn, "<tlsrpt@example.com>", name)
		local got = "other"
		if stage == "eom" and (r == SMFIR_REPLYCODE or r == SMFIR_TEMPFAIL) then
			got = "tempfail"
		elseif stage == "eom" and r == SMFIR_CONTINUE then
			if status_count(conn) == before then
				got = "unstored"
			else
				got = status_header(conn, 0):match("^(%a+)") or "other"
			end
		end
		print(string.format("%d %s", i, got))
		check(want == nil or got == want,
		      string.format("%s: got %s, want %s", name, got, tostring(want)))
		if hook ~= nil and i == tonumber(hook_after) then
			local rc = os.execute(hook)
			check(rc == 0 or rc == true, "hook failed: " .. hook)
		end
	end
	mt.disconnect(conn)
end)
