CREATE EXTERNAL TABLE `analytics`.`raw_json` (
  `id` string,
  `payload` map<string,string>
)
PARTITIONED BY (
  `inserted_at` string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://bucket/warehouse/raw_json/';
ALTER TABLE `analytics`.`raw_json` ADD IF NOT EXISTS PARTITION (`inserted_at`='2024/04/30/23') LOCATION 's3://bucket/warehouse/raw_json/2024/04/30/23/';
