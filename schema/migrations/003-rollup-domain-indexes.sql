-- Version 3: covering indexes that let a summary by policy domain stream
-- its GROUP BY instead of sorting every rollup row (2.1 s -> 0.2 s over a
-- million reports, where rollup_policy holds about a row per report).
-- See the comments in schema/schema.sql.
CREATE INDEX rollup_policy_by_domain ON rollup_policy
	(policy_domain, start_time, auth_pass, reports, successful, failed, failed_with_policy);
CREATE INDEX rollup_result_by_domain ON rollup_result
	(policy_domain, result_type, start_time, auth_pass, reports, failed, failed_with_policy);
