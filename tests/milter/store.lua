-- Reports are stored and said so in a TLS-Report-Status header; the same
-- report again is a duplicate; a broken one is invalid; two reports in
-- one mail give two headers; foreign TLS-Report-Status fields are removed.
dofile(common)
run(function()
	local conn = connect()
	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_CONTINUE, "eom")
	expect_status(conn, 0, "^stored; submitter=reporter%.example; report%-id=rid%-stored%-0001; failed=3; auth=none$")

	expect(conn, "<tlsrpt@example.com>", "report.eml", SMFIR_CONTINUE, "eom")
	expect_status(conn, 0, "^duplicate; submitter=reporter%.example; report%-id=rid%-stored%-0001")

	expect(conn, "<tlsrpt@example.com>", "invalid.eml", SMFIR_CONTINUE, "eom")
	expect_status(conn, 0, "^invalid %(.+%); submitter=broken%.example")

	expect(conn, "<tlsrpt@example.com>", "two-reports.eml", SMFIR_CONTINUE, "eom")
	check(mt.eom_check(conn, MT_HDRADD, "TLS-Report-Status",
	      " stored; submitter=second.example; report-id=rid-two-0001; failed=0; auth=none"),
	      "no status header for the first of two reports")
	check(mt.eom_check(conn, MT_HDRADD, "TLS-Report-Status",
	      " stored; submitter=second.example; report-id=rid-two-0002; failed=1; auth=none"),
	      "no status header for the second of two reports")

	expect(conn, "<tlsrpt@example.com>", "spoofed-status.eml", SMFIR_CONTINUE, "eom")
	check(mt.eom_check(conn, MT_HDRDELETE, "TLS-Report-Status") or
	      mt.eom_check(conn, MT_HDRCHANGE, "TLS-Report-Status"), "foreign status header kept")
	expect_status(conn, 0, "^stored; submitter=status%.example")
	mt.disconnect(conn)
end)
