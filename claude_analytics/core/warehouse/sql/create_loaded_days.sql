-- The days each load replaced, for the incremental dbt models (dbt_project/macros/window.sql).
create table if not exists raw.loaded_days (
    event_date date not null,
    loaded_at timestamptz not null,
    run_id varchar
)
