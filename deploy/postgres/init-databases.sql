-- Run once by the postgres image on an empty data volume: one database per service,
-- because no service reads another's tables.
CREATE DATABASE identity;
CREATE DATABASE notes;
CREATE DATABASE docportal;
CREATE DATABASE audit;
