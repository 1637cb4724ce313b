-- The databases the connection has attached (the snapshot's staging file among them while
-- it is being written).
select database_name
from duckdb_databases()
