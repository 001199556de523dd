-- The key file vanished after start: a key lookup that fails for a reason
-- that may pass (as a DNS timeout) is temperror, never pass nor fail.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "../dkim/pass-aligned.eml", SMFIR_CONTINUE, "eom")
	expect_status(conn, 0, "^stored; submitter=example%.net; .*; auth=temperror$")
	mt.disconnect(conn)
end)
