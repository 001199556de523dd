-- Version 7: when each reporter last reported, without reading its reports.
--
-- lib/presence.c reads, for the counted reports that started in the last
-- 31 days, each one's submitter, start and end and its policies' domains
-- (tlsrpt-report metrics, the digest's and summary's silent reporters).
-- The rows of reports are wide (they hold the raw JSON), and so are those
-- of policies (policy strings, MX hosts): over a month of a
-- million-report database, reading them cost a quarter of a second of CPU
-- and more waiting for the disk.  Two indexes answer it alone:
--   reports_presence  the three columns, in start order, of counted
--                     reports only; each new report adds one entry where
--                     the newest are;
--   policies_by_report  now (report, policy_domain): the same lookups by
--                     report as before, with the domain in the index.
CREATE INDEX reports_presence ON reports (start_time, submitter, end_time) WHERE counted = 1;
DROP INDEX policies_by_report;
CREATE INDEX policies_by_report ON policies (report, policy_domain);
