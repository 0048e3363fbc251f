-- The next load id (one per loaded file): one more than the greatest recorded, so that the id is
-- part of the tables' content (a spare file brought up to date by data.delta takes it with them;
-- the sequence load_id_seq of migration 1 is no longer used). No params.
select coalesce(max(load_id), 0) + 1 as load_id from load_history
