-- The days `$days` (every day if `$all`) are read again: what they named before goes.
delete from reference.observed_models
where $all or list_contains($days, event_date)
