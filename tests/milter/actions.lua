-- OnStored discard and OnInvalid reject.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_DISCARD, "eom")
	expect(conn, "<tlsrpt@example.com>", "invalid.eml", SMFIR_REPLYCODE, "eom")
	expect(conn, "<tlsrpt@example.com>", "plain.eml", SMFIR_CONTINUE, "eom")
	mt.disconnect(conn)
end)
