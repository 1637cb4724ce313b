-- The window's rows from Arrow batches, registered as `incoming`.
insert into ${relation} (${column_names})
select ${column_names}
from incoming
