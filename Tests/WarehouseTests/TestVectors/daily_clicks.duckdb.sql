CREATE OR REPLACE VIEW "daily_clicks" AS
SELECT *
FROM read_parquet('/data/wh/daily_clicks/*/*/*.parquet', hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'region': 'VARCHAR'}, union_by_name = true);
