-- Version 13 for PostgreSQL: schema/migrations/013-folded-rollups.sql
-- with schema/pg/schema.sql's types (BIGINT, TEXT COLLATE "C", no
-- WITHOUT ROWID); the backfill is the same SQL.
CREATE TABLE fold_policy (
	bucket             BIGINT NOT NULL,
	policy_domain      TEXT COLLATE "C" NOT NULL,
	auth_pass          BIGINT NOT NULL,
	reports            BIGINT NOT NULL,
	successful         BIGINT NOT NULL,
	failed             BIGINT NOT NULL,
	failed_with_policy BIGINT NOT NULL,
	PRIMARY KEY (bucket, policy_domain, auth_pass)
);

CREATE TABLE fold_result (
	bucket             BIGINT NOT NULL,
	policy_domain      TEXT COLLATE "C" NOT NULL,
	auth_pass          BIGINT NOT NULL,
	result_type        TEXT COLLATE "C" NOT NULL,
	reports            BIGINT NOT NULL,
	failed             BIGINT NOT NULL,
	failed_with_policy BIGINT NOT NULL,
	PRIMARY KEY (bucket, policy_domain, auth_pass, result_type)
);

CREATE TABLE fold_mx (
	bucket             BIGINT NOT NULL,
	auth_pass          BIGINT NOT NULL,
	receiving_mx       TEXT COLLATE "C" NOT NULL,
	reports            BIGINT NOT NULL,
	failed             BIGINT NOT NULL,
	failed_with_policy BIGINT NOT NULL,
	PRIMARY KEY (bucket, auth_pass, receiving_mx)
);

CREATE TABLE fold_mx_result (
	bucket             BIGINT NOT NULL,
	auth_pass          BIGINT NOT NULL,
	receiving_mx       TEXT COLLATE "C" NOT NULL,
	result_type        TEXT COLLATE "C" NOT NULL,
	reports            BIGINT NOT NULL,
	failed             BIGINT NOT NULL,
	failed_with_policy BIGINT NOT NULL,
	PRIMARY KEY (bucket, auth_pass, receiving_mx, result_type)
);

-- Backfilled from the rollups they fold, as lib/rollup.c's rebuild
-- computes them; written in the SQL that PostgreSQL also accepts.
INSERT INTO fold_policy
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass,
	       tr_sum(reports), tr_sum(successful), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_policy
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass;

INSERT INTO fold_result
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass, result_type,
	       tr_sum(reports), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_result
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass, result_type;

INSERT INTO fold_mx
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx,
	       tr_sum(reports), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_mx
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx;

INSERT INTO fold_mx_result
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx, result_type,
	       tr_sum(reports), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_mx_result
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx, result_type;
