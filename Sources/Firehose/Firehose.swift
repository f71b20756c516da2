// Module Firehose: column definitions (Hive types) shared by the converter and the warehouse.
