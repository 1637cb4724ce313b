-- The warehouse file's blocks after the checkpoint, and how many of them are free (reusable
-- by later writes).
select
    total_blocks,
    free_blocks
from pragma_database_size()
where database_name = current_database()
