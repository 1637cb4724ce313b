-- Cost by project (USD), most expensive first; for everyone or one person (core/serving/queries.py
-- fills `user_filter`).
select
    coalesce(project_id, '(none)') as project_id,
    sum(cost_usd) as cost_usd
from marts.fct_token_usage
where ${user_filter}
group by all
order by cost_usd desc
