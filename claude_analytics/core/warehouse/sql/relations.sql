-- The tables and views of one database ($database; the current one when null), in the
-- schemas $schemas (every schema when null).
select
    table_schema,
    table_name
from information_schema.tables
where
    table_catalog = coalesce($database, current_database())
    and ($schemas is null or list_contains($schemas, table_schema))
