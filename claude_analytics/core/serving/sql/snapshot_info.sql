-- The snapshot's one row about itself: when it was built, and by which run.
create table ${target} as
select
    $built_at::timestamptz as built_at,
    $run_id as run_id
