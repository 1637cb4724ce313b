-- Materialisation times (`materialized`), with the newest entry's time beside the raw table
-- (`$latest_entry_at`, null before the warehouse has entries).
create table ${target} as
select
    asset_key,
    last_materialized_at,
    case
        when asset_key = 'raw/conversations' then $latest_entry_at::timestamptz
    end as latest_data_at
from materialized
