-- Version 3: the version of the build definitions the derived tables were made with, so a warehouse
-- built by an earlier release is rebuilt (from its own source rows) before the dashboard reads it.
alter table warehouse_state add column build_version integer;
