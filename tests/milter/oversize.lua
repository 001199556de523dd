-- A message over MaxMessageSize is passed on untouched, mid-body.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_ACCEPT, "body")
	mt.disconnect(conn)
end)
