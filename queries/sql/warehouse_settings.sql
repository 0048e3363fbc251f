-- The warehouse's settings (one row): the reporting currency every stored amount is in. No params.
select reporting_currency
from warehouse_state
