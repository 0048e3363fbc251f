-- The stored exchange rates of the currencies in $currencies: one row per (currency, "on"), the rate
-- that converts one unit into the reporting currency from that date. Params: currencies.
select currency, "on", rate_to_reporting
from fx_rates
where currency in (select unnest($currencies::varchar[]))
order by currency, "on"
