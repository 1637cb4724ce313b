-- The dead letters, of any day, whose line is now an entry of the window (a line completed
-- after a run read half of it), as the lake did (core/lake/supersede.py).
delete from raw.dead_letters
where entry_id in (
    select entry_id
    from raw.conversations
    where event_date >= $start and event_date < $end
)
