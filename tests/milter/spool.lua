-- The database cannot be opened: the message is spooled and accepted.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_CONTINUE, "eom")
	check(not mt.eom_check(conn, MT_HDRADD), "status header added although nothing was stored")
	mt.disconnect(conn)
end)
