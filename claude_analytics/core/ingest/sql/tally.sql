-- Lines grouped by (day, endings) in one pass; the few groups are split into the tallies in
-- Python (parse._accounting).
select
    o.event_date,
    coalesce(o.endings, 0) as endings,
    count(*) as line_count
from lines as l
left join outcomes as o on l.line_index = o.line_index
group by all
