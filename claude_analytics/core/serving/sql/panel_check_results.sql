-- The latest result of every asset check, failed first.
select
    asset_key,
    check_name,
    passed,
    severity,
    evaluated_at
from quality.check_results
order by passed, asset_key, check_name
