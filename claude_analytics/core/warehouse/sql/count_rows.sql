-- The rows of one table or view; `${relation}` is its quoted, qualified name
-- (relations.qualified_name).
select count(*) as row_count
from ${relation}
