-- The days a window replace changed, appended in its transaction, so dbt never sees rows
-- without the note that they changed.
insert into raw.loaded_days (event_date, loaded_at, run_id)
select
    unnest($days) as event_date,
    current_timestamp as loaded_at,
    $run_id as run_id
