-- Daily cost by model (USD) for one person ($user): the daily mart is not split by user.
select
    event_date,
    model_id,
    sum(cost_usd) as cost_usd
from marts.fct_token_usage
where user_id = $user
group by all
order by event_date, model_id
