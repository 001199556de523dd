-- Three messages through the whole eom path, for t-timing.sh to find one
-- "eom:" timing line each: one report, two reports, none.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_CONTINUE, "eom")
	expect(conn, "<tlsrpt@example.com>", "two-reports.eml", SMFIR_CONTINUE, "eom")
	expect(conn, "<tlsrpt@example.com>", "plain.eml", SMFIR_CONTINUE, "eom")
	-- mail for another recipient never reaches eom: no timing line
	expect(conn, "<other@example.com>", "report.eml", SMFIR_ACCEPT, "data")
	mt.disconnect(conn)
end)
