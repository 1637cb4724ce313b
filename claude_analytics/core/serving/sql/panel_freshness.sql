-- Last materialisation of each asset, and how old it was when the snapshot was built.
-- (columns in the order the page's table shows them)
select  -- noqa: ST06
    f.asset_key,
    f.last_materialized_at,
    round(epoch(i.built_at - f.last_materialized_at) / 3600, 2) as hours_old_at_snapshot,
    f.latest_data_at
from quality.freshness as f
cross join quality.snapshot_info as i
order by f.asset_key
