CREATE OR REPLACE VIEW "events" AS
SELECT * EXCLUDE ("filename"), regexp_extract("filename", '([0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2})/[^/]*$', 1) AS "inserted_at"
FROM read_parquet('/data/wh/events/*/*/*/*/*.parquet', filename = true, union_by_name = true);
