-- Every relation a reader may use, with its columns: what a query's needs are checked against.
select
    table_schema || '.' || table_name as relation,
    list(column_name) as column_names
from information_schema.columns
where table_schema in ('marts', 'quality')
group by all
