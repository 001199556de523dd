-- Only a trusted authserv-id's dkim=pass for the submitter authenticates;
-- with RequireAuthentication yes the rest is ignored (not stored), the
-- mail still delivered (DKIMVerify no: the Authentication-Results fallback).
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "auth-trusted.eml", SMFIR_CONTINUE, "eom")
	expect_status(conn, 0, "^stored; submitter=signed%.example; .*auth=pass$")
	expect(conn, "<tlsrpt@example.com>", "auth-untrusted.eml", SMFIR_CONTINUE, "eom")
	expect_status(conn, 0, "^ignored; submitter=forged%.example; .*auth=none$")
	mt.disconnect(conn)
end)
