CREATE EXTERNAL TABLE `analytics`.`daily_clicks` (
  `user_id` bigint,
  `clicks` bigint
)
PARTITIONED BY (
  `dt` string,
  `region` string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://bucket/warehouse/daily_clicks/'
TBLPROPERTIES (
  'owner'='team-a',
  'note'='it\'s aggregated'
);
ALTER TABLE `analytics`.`daily_clicks` ADD IF NOT EXISTS PARTITION (`dt`='2024-05-01', `region`='eu') LOCATION 's3://bucket/warehouse/daily_clicks/dt=2024-05-01/region=eu/';
ALTER TABLE `analytics`.`daily_clicks` ADD IF NOT EXISTS PARTITION (`dt`='2024-05-01', `region`='us/west') LOCATION 's3://bucket/warehouse/daily_clicks/dt=2024-05-01/region=us%2Fwest/';
