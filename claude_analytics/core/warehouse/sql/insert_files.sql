-- The window's rows from the lake's Parquet files `$files`, read by DuckDB, streaming. By
-- name: files written before a column was added lack it (null).
insert into ${relation} (${column_names})
select ${column_names}
from read_parquet($files, union_by_name = true)
where event_date >= $start and event_date < $end
