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
