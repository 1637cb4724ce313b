-- The model ids' matches (`new_matches`), keeping each unchanged row's `_loaded_at`: the
-- dbt models reprice only the responses whose match or prices changed since their last build.
create or replace table reference.model_matches as
select
    new_matches.model_id,
    new_matches.provider_id,
    new_matches.price_model_id,
    new_matches.matched_by,
    new_matches.fingerprint,
    case
        when previous.fingerprint = new_matches.fingerprint then previous._loaded_at
        else cast($loaded_at as timestamptz)
    end as _loaded_at
from new_matches
left join reference.model_matches as previous using (model_id)
order by new_matches.model_id
