-- Metabase keeps its own application database beside Dagster's.
create database metabase;
