-- The people the dashboard's user filter offers ($max_users of them), most expensive first.
select user_id
from marts.dim_users
order by cost_usd desc nulls last, user_id asc
limit $max_users
