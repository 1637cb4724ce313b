-- Cost by git branch (USD) for one person ($user): their 20 most expensive.
select
    coalesce(nullif(git_branch, ''), '(no branch)') as git_branch,
    sum(cost_usd) as cost_usd
from marts.dim_sessions
where user_id = $user
group by all
order by cost_usd desc
limit 20
