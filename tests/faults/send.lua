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
run(function()
	mt.set_timeout(60)
	local conn = connect()
	for i = tonumber(first), tonumber(last) do
		local name = string.format("mail-%05d.eml", i)
		local r, stage = send_message(conn, "<tlsrpt@example.com>", name)
		local got = "other"
		if stage == "eom" and (r == SMFIR_REPLYCODE or r == SMFIR_TEMPFAIL) then
			got = "tempfail"
		elseif stage == "eom" and r == SMFIR_CONTINUE then
			local v = status_header(conn, 0)
			if v == nil then
				got = "unstored"
			else
				got = v:match("^(%a+)") or "other"
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
