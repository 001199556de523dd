-- A message over MaxMessageSize is passed on untouched.  Body chunks and
-- headers get no reply, so the accept comes at end of message; the rest
-- of the message is not kept.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_ACCEPT, "eom")
	check(not mt.eom_check(conn, MT_HDRADD), "header added to an oversized mail")

	-- headers alone over the limit
	check(mt.rcptto(conn, "<tlsrpt@example.com>") == nil, "rcptto failed")
	check(mt.data(conn) == nil, "data failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "data not continued")
	for i = 1, 4 do
		check(mt.header(conn, "X-Filler-" .. i, string.rep("x", 300)) == nil, "header failed")
	end
	check(mt.eoh(conn) == nil, "eoh failed")
	check(mt.bodystring(conn, "body\r\n") == nil, "body failed")
	check(mt.eom(conn) == nil, "eom failed")
	check(mt.getreply(conn) == SMFIR_ACCEPT, "oversized headers not accepted")
	mt.disconnect(conn)
end)
