-- load_touched (temporary, this connection only): the customers a load's rows change, with the
-- earliest date from which each change can move a derived figure (change_on), by source table: 0001-01-01 when the
-- change has no date (a customer's or contract's attributes), 9999-12-31 when it moves none (a
-- payment's amount_paid while it is unpaid). Filled by load_touched_<table> after each upsert and
-- read by data.incremental. No params.
create or replace temp table load_touched (
    source varchar not null, customer_id varchar not null, change_on date not null
)
