-- Cost by git branch (USD): the 20 most expensive; for everyone or one person
-- (core/serving/queries.py fills `user_filter`).
select
    coalesce(nullif(git_branch, ''), '(no branch)') as git_branch,
    sum(cost_usd) as cost_usd
from marts.dim_sessions
where ${user_filter}
group by all
order by cost_usd desc
limit 20
