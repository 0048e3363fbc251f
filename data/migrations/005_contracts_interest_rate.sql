-- Version 5: contracts.interest_rate, the contract's effective interest rate per year as a share
-- (0.065 = 6.5 %), the rate a loan's expected credit loss is discounted at (build_loan_ecl.sql).
-- Optional: null means "not given" (no discounting), and a file without the column still loads.
-- The rule 0 <= rate < 1 is checked at load (schemas.source.Contracts); DuckDB cannot add a column
-- with a CHECK constraint, and the build still stops on a negative rate (build_contract_rates.sql).
-- An existing warehouse keeps its rows: they get a null rate.

alter table contracts add column interest_rate double;
