-- Whether `raw.loaded_days` exists yet (the first warehouse load creates it).
select count(*) > 0 as is_present
from information_schema.tables
where table_schema = 'raw' and table_name = 'loaded_days'
