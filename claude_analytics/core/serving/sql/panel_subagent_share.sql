-- Share of tokens and of cost that subagents (sidechains) spent, per day; for everyone or one
-- person (core/serving/queries.py fills `user_filter`).
with usage as (
    select
        event_date,
        is_sidechain,
        cost_usd,
        coalesce(input_tokens, 0)
        + coalesce(output_tokens, 0)
        + coalesce(cache_creation_input_tokens, 0)
        + coalesce(cache_read_input_tokens, 0) as total_tokens
    from marts.fct_token_usage
    where ${user_filter}
)

select
    event_date,
    sum(total_tokens) filter (where is_sidechain)
    / nullif(sum(total_tokens), 0) as subagent_token_share,
    sum(cost_usd) filter (where is_sidechain)
    / nullif(sum(cost_usd), 0) as subagent_cost_share
from usage
group by all
order by event_date
