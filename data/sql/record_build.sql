-- warehouse_state (one row): record a finished build and bump load_version so caches keyed on it
-- refresh; the derived tables now reflect every source row (sources_unbuilt). Params: as_of,
-- policy_name, build_version (data.build.BUILD_VERSION).
update warehouse_state
set load_version = load_version + 1,
    built_at = current_timestamp,
    as_of = $as_of::date,
    policy_name = $policy_name,
    build_version = $build_version,
    sources_unbuilt = false
