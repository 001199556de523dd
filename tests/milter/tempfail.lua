-- The database cannot be opened and nothing can be spooled: tempfail.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_REPLYCODE, "eom")
	check(mt.eom_check(conn, MT_SMTPREPLY, "451"), "no 451 reply")
	mt.disconnect(conn)
end)
