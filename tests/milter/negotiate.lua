-- Negotiation asks only for the steps it needs; mail for other
-- recipients or of a content type that cannot hold a report is accepted
-- before its body; oversized mail is accepted untouched; a bare probe
-- connection does not hurt the milter.
dofile(common)
run(function()
	local conn = connect()
	for _, opt in ipairs({ SMFIP_NOCONNECT, SMFIP_NOHELO, SMFIP_NOUNKNOWN, SMFIP_NODATA }) do
		check(mt.test_option(conn, opt), "step " .. opt .. " not negotiated away")
	end
	check(not mt.test_option(conn, SMFIP_NOBODY), "body step negotiated away")
	check(mt.test_action(conn, SMFIF_ADDHDRS), "ADDHDRS not requested")
	check(mt.test_action(conn, SMFIF_CHGHDRS), "CHGHDRS not requested")
	check(not mt.test_action(conn, SMFIF_CHGBODY), "CHGBODY requested")

	expect(conn, "<someone@example.com>", "report.eml", SMFIR_ACCEPT, "header")
	expect(conn, "<tlsrpt@example.com>", "html.eml", SMFIR_ACCEPT, "eoh")
	expect(conn, "<TLSRPT@Example.COM>", "plain.eml", SMFIR_CONTINUE, "eom")
	check(not mt.eom_check(conn, MT_HDRADD), "header added to a mail without report")
	mt.disconnect(conn)

	-- a probe: connect and go away without a word
	local probe = mt.connect(sock, 40, 0.25)
	check(probe ~= nil, "probe connect failed")
	mt.disconnect(probe, false)

	conn = connect()
	expect(conn, "<other@example.com>", "plain.eml", SMFIR_ACCEPT, "header")
	mt.disconnect(conn)
end)
