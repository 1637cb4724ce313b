-- Redacted values per kind, over the lines that ended in the window [$window_start, $window_end).
select
    h.kind,
    sum(h.hits) as hits
from secret_hits as h
inner join outcomes as o using (line_index)
where o.event_date >= $window_start and o.event_date < $window_end
group by h.kind
