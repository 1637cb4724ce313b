-- How far `raw.loaded_days` had been read when the observed models were last brought up to
-- date (null before the first build).
select max(loaded_through) as loaded_through
from reference.observed_models_state
