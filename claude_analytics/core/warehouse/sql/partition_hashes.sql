-- Each day's content hash of `$relation` (fingerprint.partition_hashes): the sum of the hash
-- of every row, each row hashed whole over its typed values. Columns that name the run (dead
-- letters' `run_id`) are left out: they differ by design.
select
    event_date,
    printf('%032x', sum(hash(*columns(c -> c != 'run_id')))::hugeint) as digest
from query_table($relation)
where event_date >= $start and event_date < $end
group by event_date
order by event_date
