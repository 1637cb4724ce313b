-- Every model id the raw entries name.
select distinct model_id
from reference.observed_models
order by model_id
