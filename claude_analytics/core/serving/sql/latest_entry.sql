-- The newest entry's time in the warehouse, shown beside the raw table's materialisation.
select max(event_time) as latest_data_at
from raw.conversations
