-- Version 6: warehouse_state.sources_unbuilt, true while the source tables hold rows the derived
-- tables were not built from (a load with --no-build), so the next load rebuilds in full instead of
-- only what its own rows change (data.incremental). record_build.sql sets it back to false.
alter table warehouse_state add column sources_unbuilt boolean not null default false;
