-- Negotiation asks only for the steps it needs, and for no reply where a
-- reply would only say "go on" (recipients, headers, end of headers, body
-- chunks); mail for other recipients is accepted at DATA, before its
-- headers; mail of a content type that cannot hold a report is let
-- through unread and accepted at the end (no earlier step has a reply);
-- a bare probe connection does not hurt the milter.
dofile(common)
run(function()
	local conn = connect()
	for _, opt in ipairs({ SMFIP_NOCONNECT, SMFIP_NOHELO, SMFIP_NOUNKNOWN, SMFIP_NR_RCPT,
	                       SMFIP_NR_HDR, SMFIP_NR_EOH, SMFIP_NR_BODY }) do
		check(mt.test_option(conn, opt), "step option " .. opt .. " not requested")
	end
	for _, opt in ipairs({ SMFIP_NODATA, SMFIP_NOBODY, SMFIP_NOHDRS, SMFIP_NR_DATA }) do
		check(not mt.test_option(conn, opt), "step option " .. opt .. " requested")
	end
	check(mt.test_action(conn, SMFIF_ADDHDRS), "ADDHDRS not requested")
	check(mt.test_action(conn, SMFIF_CHGHDRS), "CHGHDRS not requested")
	check(not mt.test_action(conn, SMFIF_CHGBODY), "CHGBODY requested")

	expect(conn, "<someone@example.com>", "report.eml", SMFIR_ACCEPT, "data")
	expect(conn, "<tlsrpt@example.com>", "html.eml", SMFIR_ACCEPT, "eom")
	check(not mt.eom_check(conn, MT_HDRADD), "header added to an html mail")
	expect(conn, "<TLSRPT@Example.COM>", "plain.eml", SMFIR_CONTINUE, "eom")
	check(not mt.eom_check(conn, MT_HDRADD), "header added to a mail without report")
	mt.disconnect(conn)

	-- a probe: connect and go away without a word
	local probe = mt.connect(sock, 40, 0.25)
	check(probe ~= nil, "probe connect failed")
	mt.disconnect(probe, false)

	conn = connect()
	expect(conn, "<other@example.com>", "plain.eml", SMFIR_ACCEPT, "data")
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_CONTINUE, "eom")
	check(mt.eom_check(conn, MT_HDRADD, "TLS-Report-Status"), "no status header on a report")
	mt.disconnect(conn)
end)
