-- One row per loaded file: what it was, what it held, what was kept.
insert into load_history
    (load_id, loaded_at, source_file, content_hash, table_name, rows_read, rows_accepted, rows_rejected, note)
values
    ($load_id, $loaded_at, $source_file, $content_hash, $table_name, $rows_read, $rows_accepted, $rows_rejected, $note)
