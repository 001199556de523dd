-- Version 8: the milter verifies DKIM itself (lib/dkimverify.c).
--
-- reports.auth gains 'temperror' (the key could not be fetched: DNS
-- failure), and each report keeps the d= and s= of the signature that
-- decided its verdict.  Widening the CHECK accepts every stored row, so the
-- table's text is edited in place as migration 004 did; a table whose text
-- differs keeps its old CHECK and refuses 'temperror' with a clear
-- constraint error.
ALTER TABLE reports ADD COLUMN dkim_domain TEXT;
ALTER TABLE reports ADD COLUMN dkim_selector TEXT;
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql,
	'OR auth = ''none'' OR auth = ''unknown'')',
	'OR auth = ''none'' OR auth = ''unknown'' OR auth = ''temperror'')')
WHERE type = 'table' AND name = 'reports';
PRAGMA writable_schema = RESET;
