with operations as (

    select * from {{ ref('fct_file_operations') }}

),

final as (

    select
        event_date,
        project_id,
        file_extension,
        count(*) as operations,
        count(*) filter (where operation = 'read') as reads,
        count(*) filter (where operation = 'edit') as edits,
        count(*) filter (where operation in ('create', 'write')) as writes,
        count(distinct file_path) as files_touched,
        sum(lines_added)::bigint as lines_added,
        sum(lines_removed)::bigint as lines_removed
    from operations
    group by event_date, project_id, file_extension

)

select * from final
