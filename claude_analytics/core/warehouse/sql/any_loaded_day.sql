-- Whether a warehouse load has changed a day yet (entries or dead letters).
select exists(select 1 from raw.loaded_days) as is_loaded
