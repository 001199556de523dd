-- The database cannot be opened and nothing can be spooled: tempfail.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_REPLYCODE, "eom")
	mt.disconnect(conn)
end)
