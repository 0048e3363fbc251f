-- The next load id (one per loaded file).
select nextval('load_id_seq') as load_id
