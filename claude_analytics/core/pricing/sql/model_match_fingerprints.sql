-- Each observed model's match and prices as the previous build left them, to count changes.
select
    model_id,
    fingerprint
from reference.model_matches
