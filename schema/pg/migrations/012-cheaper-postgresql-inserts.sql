-- Version 12 for PostgreSQL: tr_report_id in PL/pgSQL.  A LANGUAGE sql
-- function that cannot be inlined is parsed and planned again at every
-- statement that calls it, once per stored report; PL/pgSQL keeps its
-- plans for the session.  SQLite's version 12 changes nothing.
CREATE OR REPLACE FUNCTION tr_report_id(s TEXT, r TEXT, st BIGINT, en BIGINT) RETURNS BIGINT
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	stored BIGINT;
BEGIN
	SELECT id INTO stored FROM reports
	 WHERE submitter = s AND report_id = r AND start_time = st AND end_time = en;
	RETURN COALESCE(stored, nextval('reports_id_seq'));
END
$$;
