-- The first half of a window replace (tables.replace_window), in its transaction.
delete from ${relation}
where event_date >= $start and event_date < $end
