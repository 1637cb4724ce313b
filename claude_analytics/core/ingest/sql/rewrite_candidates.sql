-- The lines that may need rewriting, with the redaction rules that may match each: DuckDB
-- selects them over the whole batch (RE2, in parallel); Python then rewrites only these,
-- most batches holding none or a few. `may_hold_secret` and `secret_rule_mask` are not
-- macros: redaction.with_secret_filter expands them from the rules; the others are macros.sql.
with decoded as (
    select
        line_index,
        coalesce(try(decode(line)), line::varchar) as line_text
    from batch
    where line is not null
),

rough as (
    select
        line_index,
        line_text,
        roughly_decoded(line_text) as rough
    from decoded
)

select
    line_index,
    line_text,
    secret_rule_mask(rough) as mask,
    may_hold_lone_surrogate(line_text) as lone_surrogate
from rough
where may_hold_secret(rough) or may_hold_lone_surrogate(line_text)
