-- The id of every line of a JSONL batch (`pieces`, a line per row): its file and line
-- number, hashed, so a line gets the same id on every read.
select md5(source_file || ':' || line_number) as entry_id
from pieces
