-- A message over MaxMessageSize is passed on untouched, mid-body or,
-- when its headers alone are too large, at eoh.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_ACCEPT, "body")

	-- headers alone over the limit: headers get no reply, so accepted at eoh
	check(mt.rcptto(conn, "<tlsrpt@example.com>") == nil, "rcptto failed")
	for i = 1, 4 do
		check(mt.header(conn, "X-Filler-" .. i, string.rep("x", 300)) == nil, "header failed")
		check(mt.getreply(conn) == SMFIR_CONTINUE, "reply to a header")
	end
	check(mt.eoh(conn) == nil, "eoh failed")
	check(mt.getreply(conn) == SMFIR_ACCEPT, "oversized headers not accepted at eoh")
	mt.disconnect(conn)
end)
