-- One customer's risk events up to $as_of, newest first. Params: $customer_id, $as_of.
select occurred_on, category, kind, severity, source, note
from risk_events
where customer_id = $customer_id and occurred_on <= $as_of::date
order by occurred_on desc
