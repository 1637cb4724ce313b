-- When the snapshot was built (core/serving/snapshot.py writes the one row).
select built_at
from quality.snapshot_info
