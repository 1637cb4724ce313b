-- Tokens and cost of each 5-hour usage block.
select
    block_started_at,
    block_ends_at,
    total_tokens,
    cost_usd
from marts.agg_usage_blocks
order by block_started_at
