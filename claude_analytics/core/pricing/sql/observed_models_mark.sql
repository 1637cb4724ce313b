-- How far `raw.loaded_days` has been read into `reference.observed_models`.
create or replace table reference.observed_models_state as
select cast($loaded_through as timestamptz) as loaded_through
