-- Every line's text (macros.sql, `stored_text`), for the queries that return it: lines.sql
-- keeps everything but the text, whose copies cost more than recomputing it.
create temp view texts as
select
    b.line_index,
    stored_text(s.text, b.line) as line_text
from batch as b
left join rewritten as s using (line_index)
