-- A column added to the lake since an older release created the raw table: appended at the
-- table's end, as in the lake (tables.ensure_raw_tables).
alter table ${relation} add column ${column_name} ${column_type}
