-- Version 4: exchange rates and the reporting currency.
-- fx_rates: what one unit of `currency` is worth in the reporting currency, in force from "on" until
-- that currency's next row. Amounts written in another currency are converted with it at load
-- (data/fx.py), so every stored amount is in the reporting currency. `on` is a reserved word in SQL:
-- always quote it as "on".
-- Optional, like adjustments: an empty table changes nothing when every row is in the reporting
-- currency.

create table fx_rates (
    currency           varchar not null check (regexp_full_match(currency, '[A-Z]{3}')),
    "on"               date not null,
    rate_to_reporting  double not null check (rate_to_reporting > 0 and rate_to_reporting < 1e6),
    primary key (currency, "on")
);

-- The currency every stored amount is in. Changed only while no source table holds a row
-- (data.warehouse.set_reporting_currency), because stored amounts are never converted again.
alter table warehouse_state add column reporting_currency varchar not null default 'CNY';
