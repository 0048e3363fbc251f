-- One customer's spells on the watchlist that started by $as_of, newest first. Params: $customer_id, $as_of.
select entered_on, left_on, months_on, entry_triggers, outcome
from watchlist_spells
where customer_id = $customer_id and entered_on <= $as_of::date
order by entered_on desc
