-- warehouse_state: a load wrote source rows without building (--no-build), so the next load builds
-- in full (data.incremental reads sources_unbuilt). No params.
update warehouse_state
set sources_unbuilt = true
