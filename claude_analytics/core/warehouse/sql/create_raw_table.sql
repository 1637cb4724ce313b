-- A raw table with the lake's columns (`empty_shape`: the lake schema's empty Arrow table),
-- when it does not exist yet (tables.ensure_raw_tables).
create table if not exists ${relation} as
select * from empty_shape
