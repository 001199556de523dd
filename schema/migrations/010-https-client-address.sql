-- Version 10: the address a report came from over HTTPS (tlsrpt-httpd).
--
-- A report posted over HTTPS carries no DKIM signature and no mail
-- headers: the client address (the proxy's X-Forwarded-For when the peer
-- is a trusted proxy) is what is known of its sender.  NULL for reports
-- that came by mail or from files.  A new column at the end, NULL in
-- every existing row: nothing is copied.
ALTER TABLE reports ADD COLUMN client_addr TEXT;
