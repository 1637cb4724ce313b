with entries as (

    -- only the columns used: this CTE is read twice, so it is materialised
    select
        project_id,
        session_id,
        cwd,
        entry_at
    from {{ ref('stg_entries') }}
    where not is_duplicate

),

paths as (

    -- Claude Code names the folder after the path with every other character turned into
    -- '-', so the slug alone cannot be turned back; the cwd that produces the slug can.
    select
        project_id,
        cwd,
        regexp_replace(cwd, '[^A-Za-z0-9-]', '-', 'g') = project_id as matches_slug,
        count(*) as entries
    from entries
    where cwd is not null
    group by project_id, cwd

),

best_path as (

    select
        project_id,
        cwd as project_path
    from paths
    qualify row_number() over (
        partition by project_id order by matches_slug desc, entries desc, cwd asc
    ) = 1

),

activity as (

    select
        project_id,
        min(entry_at) as first_seen_at,
        max(entry_at) as last_seen_at,
        count(distinct session_id) as sessions,
        count(*) as entries
    from entries
    group by project_id

),

final as (

    select
        activity.project_id,
        best_path.project_path,
        coalesce(regexp_extract(best_path.project_path, '([^/\\]+)[/\\]*$', 1), activity.project_id)
            as project_name,
        activity.first_seen_at,
        activity.last_seen_at,
        activity.sessions,
        activity.entries
    from activity
    left join best_path using (project_id)

)

select * from final
