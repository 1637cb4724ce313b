with calls as (

    select * from {{ ref('int_tool_usage') }}

),

categories as (

    select * from {{ ref('tool_categories') }}

),

observed as (

    select
        tool_name,
        any_value(is_mcp) as is_mcp,
        any_value(mcp_server) as mcp_server,
        any_value(mcp_tool) as mcp_tool,
        any_value(tool_category) as tool_category,
        min(called_at) as first_called_at,
        count(*) as calls
    from calls
    where tool_name is not null
    group by tool_name

),

catalogued as (

    -- tools from the seed that nobody called yet still have a row, for complete filters
    select
        tool_name,
        false as is_mcp,
        null as mcp_server,
        null as mcp_tool,
        category as tool_category,
        null::timestamptz as first_called_at,
        0 as calls
    from categories
    where tool_name not in (select tool_name from observed)

),

final as (

    select * from observed
    union all
    select * from catalogued

)

select * from final
