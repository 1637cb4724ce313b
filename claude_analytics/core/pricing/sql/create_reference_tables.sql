-- Empty shapes, so the first replace can read the previous matches.
create schema if not exists reference;
create table if not exists reference.model_matches (
    model_id varchar,
    provider_id varchar,
    price_model_id varchar,
    matched_by varchar,
    fingerprint varchar,
    _loaded_at timestamptz
);
-- The model ids each event day names, and how far `raw.loaded_days` was read when they were
-- last brought up to date: a build reads again only the days loaded since.
create table if not exists reference.observed_models (
    event_date date,
    model_id varchar
);
create table if not exists reference.observed_models_state (
    loaded_through timestamptz
);
