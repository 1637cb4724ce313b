-- A timestamp text as an instant (timestamptz), null when it does not parse; every step
-- that dates an entry calls it (timestamps.utc_connection defines it). RFC 3339 allows a
-- lowercase `t` and `z`, which the cast rejects: a text it refuses is tried in capitals.
create temp macro instant(stamp_text) as (
    coalesce(try_cast(stamp_text as timestamptz), try_cast(upper(stamp_text) as timestamptz))
);
