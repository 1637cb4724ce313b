-- Cost by project (USD), most expensive first.
select
    coalesce(project_id, '(none)') as project_id,
    sum(cost_usd) as cost_usd
from marts.fct_token_usage
group by all
order by cost_usd desc
