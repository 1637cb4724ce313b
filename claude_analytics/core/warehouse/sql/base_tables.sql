-- The tables (not views) of the connection's database: file.damage counts the rows of each,
-- and a damaged file fails there with DuckDB's own error.
select
    table_schema,
    table_name
from information_schema.tables
where
    table_catalog = current_database()
    and table_type = 'BASE TABLE'
