-- tlsrpt-milter schema: the one source of truth, compiled into the
-- binaries (lib/schema_sql.c).  An empty database gets this whole file in
-- one transaction; an older one gets schema/migrations/NNN-*.sql in order,
-- which must leave it identical to this file.  Bump user_version (last
-- line) together with adding migration NNN = the new version.
--
-- Times are UTC epoch seconds.  Counts are integers >= 0 (the parser
-- bounds them by 2^53); sum them with tr_sum(), which saturates instead
-- of failing on overflow.  Strings are kept exactly as the report sent
-- them, except submitter and policy_domain: domain names, lowercased
-- (ASCII) so that one domain is one row (version 6); NULL means the field
-- was missing or null.

-- One row per distinct report: the same submitter, report-id and
-- date-range is the same report, stored once.
-- Allowed strings are tested with = and OR, not IN: SQLite builds a
-- temporary b-tree for an IN list of more than two at every INSERT.
CREATE TABLE reports (
	id                INTEGER PRIMARY KEY,
	submitter         TEXT    NOT NULL,   -- sending domain, lowercased; '' when unknown
	report_id         TEXT    NOT NULL,   -- RFC 8460 report-id
	start_time        INTEGER NOT NULL,   -- date-range start-datetime
	end_time          INTEGER NOT NULL,   -- date-range end-datetime
	organization_name TEXT,
	contact_info      TEXT,
	received_at       INTEGER NOT NULL,
	source            TEXT    NOT NULL CHECK (source = 'milter' OR source = 'import' OR source = 'https'),
	message_id        TEXT,               -- Message-ID of the carrying mail
	auth              TEXT    NOT NULL DEFAULT 'unknown'
	                          CHECK (auth = 'pass' OR auth = 'fail' OR auth = 'none' OR auth = 'unknown' OR auth = 'temperror'),
	counted           INTEGER NOT NULL DEFAULT 1 CHECK (counted IN (0, 1)),
	raw_json          BLOB,               -- the JSON as received: the gzip or zlib bytes it
	                                      -- arrived in, else zlib-compressed by the store
	raw_json_len      INTEGER NOT NULL DEFAULT 0 CHECK (raw_json_len >= 0),
	dkim_domain       TEXT,               -- d= of the DKIM signature behind auth, or NULL
	dkim_selector     TEXT,               -- its s= (selector), or NULL
	client_addr       TEXT,               -- source https: the client's address
	UNIQUE (submitter, report_id, start_time, end_time)
);
CREATE INDEX reports_by_start ON reports (start_time);
-- by submitter, and its latest report first (organization-name)
CREATE INDEX reports_by_submitter ON reports (submitter, start_time);
-- lib/presence: each reporter's latest dates, from the index alone (version 7)
CREATE INDEX reports_presence ON reports (start_time, submitter, end_time) WHERE counted = 1;

CREATE TABLE policies (
	id                     INTEGER PRIMARY KEY,
	report                 INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	idx                    INTEGER NOT NULL,  -- position in the report's policies array
	policy_type            TEXT    NOT NULL,  -- "sts", "tlsa", "no-policy-found", or as sent
	policy_domain          TEXT,
	policy_domain_fallback INTEGER NOT NULL DEFAULT 0 CHECK (policy_domain_fallback IN (0, 1)),
	policy_strings         TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
	mx_hosts               TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
	total_successful       INTEGER NOT NULL CHECK (total_successful >= 0),
	total_failure          INTEGER NOT NULL CHECK (total_failure >= 0)
	-- Version 9 (added by ALTER TABLE, hence the leading comma): 1 for an
	-- sts policy whose sessions a tlsa policy for the same domain in the
	-- same report also counts (DANE takes precedence: docs/COUNTING.md,
	-- lib/count.h).  Its counts and failure details are left out of every
	-- total and rollup; only the summary by policy type shows them.
	, superseded           INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)));
-- by report; with the domain, so that lib/presence reads no policy row (version 7)
CREATE INDEX policies_by_report ON policies (report, policy_domain);
CREATE INDEX policies_by_domain ON policies (policy_domain);

CREATE TABLE failure_details (
	id                     INTEGER PRIMARY KEY,
	policy                 INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
	result_type            TEXT,
	sending_mta_ip         TEXT,
	receiving_mx_hostname  TEXT,
	receiving_mx_helo      TEXT,
	receiving_ip           TEXT,
	failed_session_count   INTEGER NOT NULL CHECK (failed_session_count >= 0),
	additional_information TEXT,
	failure_reason_code    TEXT
);
CREATE INDEX failure_details_by_policy ON failure_details (policy);

-- Summary rollups (version 2): sums over counted reports and policies
-- not superseded (version 9) only, kept by
-- store_put_report() in the report's own transaction and rebuilt by
-- expire for the start times it touches, so that summary_query() reads a
-- few thousand rows instead of every policy and failure detail.  Keyed
-- by the report's exact start_time (not its day) so that --since and
-- --until select exactly the reports they select in the base tables.
-- auth_pass: reports.auth = 'pass'.  policy_domain and result_type are
-- COALESCE(x, '') of the base columns.  reports: distinct reports in the
-- group.  failed_with_policy: the part of failed under a policy-type
-- other than no-policy-found.
--   rollup_report      policies by start, submitter, auth (a report with
--                      two policy domains counts once)
--   rollup_policy      policies by start, submitter, policy domain, auth
--   rollup_result_sub  failure details by start, submitter, auth, result type
--   rollup_result      failure details by start, submitter, policy domain,
--                      auth, result type
-- A summary without a policy-domain filter reads the first and third,
-- one by policy domain or for one domain the second and fourth.
CREATE TABLE rollup_report (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass)
) WITHOUT ROWID;

CREATE TABLE rollup_policy (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, policy_domain, auth_pass)
) WITHOUT ROWID;

CREATE TABLE rollup_result_sub (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, result_type)
) WITHOUT ROWID;

CREATE TABLE rollup_result (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, policy_domain, auth_pass, result_type)
) WITHOUT ROWID;

-- Version 5: every rollup is keyed by start time first.  Version 3 kept
-- covering indexes by policy domain on rollup_policy and rollup_result,
-- and keyed the MX rollups by receiving MX first, so that the summaries by
-- those keys streamed; but each report then put a row in a random place
-- of four structures, every commit rewrote those pages, and imports into
-- a large database and the milter's writes slowed with its size
-- (docs/PERFORMANCE.md, "What the rollups cost").  Keyed by time, a
-- report's rows land where the newest are, and a summary by policy domain
-- or receiving MX reads its --since/--until range and sorts that.

-- Version 3: failure details by receiving MX, kept like the rollups above
-- (same columns and sums; receiving_mx is COALESCE(receiving_mx_hostname,
-- '')), for the summary by receiving-mx without a policy-domain filter
-- (with one it reads the base tables, through policies_by_domain).
--   rollup_mx          by start, submitter, auth, receiving MX
--   rollup_mx_result   the same and result type
CREATE TABLE rollup_mx (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, receiving_mx)
) WITHOUT ROWID;

CREATE TABLE rollup_mx_result (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, receiving_mx, result_type)
) WITHOUT ROWID;

-- Version 11: every policy of a counted report by policy type, kept like
-- the rollups above but with the superseded policies too, keyed as the
-- summary by policy-type shows them (policy_type is lib/key.h's
-- KEY_SQL_POLICY_TYPE: "sts (counted under tlsa)" for a superseded one),
-- for that summary without a policy-domain filter (with one it reads the
-- base tables, as by receiving MX).
--   rollup_policy_type         policies by start, submitter, auth, type
--   rollup_policy_type_result  failure details by the same and result type
CREATE TABLE rollup_policy_type (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	policy_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, policy_type)
) WITHOUT ROWID;

CREATE TABLE rollup_policy_type_result (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	policy_type        TEXT    NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, policy_type, result_type)
) WITHOUT ROWID;

-- Version 13: the rollups by policy domain and by receiving MX folded
-- over buckets of 30 days and over submitters, for the summaries by
-- policy-domain and receiving-mx without a submitter filter: keyed by
-- start time and submitter, rollup_policy, rollup_result, rollup_mx and
-- rollup_mx_result fold few reports into a row (a policy domain is
-- reported by many submitters on many days), and grouping their million
-- rows cost 3 s.  Each row sums its rollup's rows whose start time falls
-- in [bucket, bucket + 30 days) (bucket: lib/key.h, KEY_SQL_FOLD_BUCKET,
-- a multiple of 2592000 seconds since the epoch), kept with them in the
-- report's transaction and rebuilt with them by expire; still keyed by
-- time first, so that a report's rows land among the newest.  A
-- --since/--until reads the whole buckets it covers here and its edges
-- from the rollups above (lib/summary.c).
--   fold_policy         rollup_policy by bucket, policy domain, auth
--   fold_result         rollup_result by bucket, policy domain, auth,
--                       result type
--   fold_mx             rollup_mx by bucket, auth, receiving MX
--   fold_mx_result      rollup_mx_result by bucket, auth, receiving MX,
--                       result type
CREATE TABLE fold_policy (
	bucket             INTEGER NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, policy_domain, auth_pass)
) WITHOUT ROWID;

CREATE TABLE fold_result (
	bucket             INTEGER NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, policy_domain, auth_pass, result_type)
) WITHOUT ROWID;

CREATE TABLE fold_mx (
	bucket             INTEGER NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, auth_pass, receiving_mx)
) WITHOUT ROWID;

CREATE TABLE fold_mx_result (
	bucket             INTEGER NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, auth_pass, receiving_mx, result_type)
) WITHOUT ROWID;

PRAGMA user_version = 13;
