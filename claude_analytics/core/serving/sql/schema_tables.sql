-- The tables and views of one schema ($schema) of the writer's database, by name.
select table_name
from information_schema.tables
where table_catalog = current_database() and table_schema = $schema
order by table_name
