CREATE OR REPLACE VIEW "raw_json" AS
SELECT * EXCLUDE ("filename"), regexp_extract("filename", '([0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2})/[^/]*$', 1) AS "inserted_at"
FROM read_json('/data/wh/raw_json/*/*/*/*/*', format = 'newline_delimited', filename = true, union_by_name = true);
