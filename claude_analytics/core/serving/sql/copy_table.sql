-- A relation copied whole into the snapshot; both names are quoted and qualified.
create table ${target} as
select * from ${source}
