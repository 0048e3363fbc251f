-- Owners (analysts) with customers, for the watchlist's owner filter. No parameters.
select distinct owner from customers order by owner
