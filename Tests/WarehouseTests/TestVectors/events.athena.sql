CREATE EXTERNAL TABLE `analytics`.`events` (
  `id` string COMMENT 'event id',
  `user` struct<id:bigint,name:string>,
  `tags` array<string>,
  `score` decimal(12,2),
  `ts` timestamp
)
PARTITIONED BY (
  `inserted_at` string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://bucket/warehouse/events/';
ALTER TABLE `analytics`.`events` ADD IF NOT EXISTS PARTITION (`inserted_at`='2024/05/01/11') LOCATION 's3://bucket/warehouse/events/2024/05/01/11/';
ALTER TABLE `analytics`.`events` ADD IF NOT EXISTS PARTITION (`inserted_at`='2024/05/01/12') LOCATION 's3://bucket/warehouse/events/2024/05/01/12/';
