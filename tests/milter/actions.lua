-- OnStored discard and OnInvalid reject; a partly read mail is never discarded.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_DISCARD, "eom")
	expect(conn, "<tlsrpt@example.com>", "invalid.eml", SMFIR_REPLYCODE, "eom")
	expect(conn, "<tlsrpt@example.com>", "plain.eml", SMFIR_CONTINUE, "eom")
	-- partly read (too many reports): stored what it could, delivered
	expect(conn, "<tlsrpt@example.com>", "too-many-reports.eml", SMFIR_CONTINUE, "eom")
	mt.disconnect(conn)
end)
