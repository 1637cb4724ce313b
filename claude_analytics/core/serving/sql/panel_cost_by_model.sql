-- Daily cost by model (USD), from the daily mart.
select
    event_date,
    model_id,
    sum(cost_usd) as cost_usd
from marts.agg_model_costs
group by all
order by event_date, model_id
