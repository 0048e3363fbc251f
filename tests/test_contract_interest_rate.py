"""contracts.interest_rate, the optional source column a loan's ECL is discounted at: loaded from a
file (or through a mapping) and used by the build, absent from a file (rates null, no discounting),
refused when negative or 100 % and above, and added to a warehouse built before migration 5."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from decimal import Decimal

import pytest

from data import warehouse
from data.build import rebuild
from data.ingest import commit, prepare
from data.mapping import parse_mapping
from data.policy import DEFAULT_POLICY, Policy
from schemas.rules import identify
from tests import sample_files
from tests.tiny_warehouse import insert_rows

D = date.fromisoformat
AS_OF = D("2026-06-30")

CUSTOMERS = """customer_id,name,industry,region,segment,onboarded_on,annual_revenue,external_rating,credit_limit,owner,status
L1,Lambda Energy,Energy,North,Mid,2025-01-01,,BB,1000000,ana,active
"""
CONTRACT_HEADER = "contract_id,customer_id,kind,signed_on,start_on,end_on,amount,currency,payment_terms_days,collateral_value,status,approved_by,last_reviewed_on"  # fmt: skip
# One unsecured loan from 2025-01-01 to 2027-12-31 (18 months after the as-of date by date_diff).
CONTRACT_ROW = "K1,L1,loan,2025-01-01,2025-01-01,2027-12-31,6000,CNY,0,0,active,cfo,"
# Both instalments owed at 2026-06-30 (a loan's rows are exposure from its start): EAD 6 000; the
# first is 76 days past due then (2026-04-15 -> 06-30): over the 30-day backstop, not in default.
PAYMENTS = """payment_id,contract_id,due_on,amount_due,paid_on,amount_paid
K1-1,K1,2026-04-15,1000,,0
K1-2,K1,2027-12-01,5000,,0
"""


def contracts_file(rate: str | None) -> bytes:
    if rate is None:
        return f"{CONTRACT_HEADER}\n{CONTRACT_ROW}\n".encode()
    return f"{CONTRACT_HEADER},interest_rate\n{CONTRACT_ROW},{rate}\n".encode()


def policy() -> Policy:
    """Grades from the external rating alone (BB: grade C), and a prior weight so large that the
    grade's PD is its prior (8 % for C) whatever the tiny book's history."""
    raw = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["weights"] = {f: 0.0 for f in raw["weights"]} | {"rating": 1.0}
    raw["pd"]["prior_weight"] = 1e12
    return Policy.from_dict(raw)


def load(con, files: dict[str, bytes]):
    return commit(con, prepare(con, list(files.items())), rebuild=False)


def loan_book(con, rate: str | None):
    result = load(
        con,
        {
            "customers.csv": CUSTOMERS.encode(),
            "contracts.csv": contracts_file(rate),
            "payments.csv": PAYMENTS.encode(),
        },
    )
    assert result.exit_code == 0, [r.summary() for r in result.reports]
    rebuild(con, as_of=AS_OF, policy=policy())
    return result


def the_loan(con) -> dict:
    return con.sql(
        "select stage, stage_reason, horizon_months, gross_carrying_amount, grade_pd, lgd, "
        "interest_rate, allowance from ecl_month where contract_id = 'K1' and as_of = $d",
        params={"d": AS_OF},
    ).fetchall()[0]


def factor(pd12: float, months: int, rate: float | None) -> float:
    """f of the data dictionary, month by month: default in month m (constant hazard, monthly
    survival s), discounted m months at v = (1 + r)^(-1/12); v = 1 without a rate."""
    s = (1 - pd12) ** (1 / 12)
    v = 1.0 if rate is None else (1 + rate) ** (-1 / 12)
    return sum(s ** (m - 1) * (1 - s) * v**m for m in range(1, months + 1))


def test_a_file_with_interest_rate_loads_it_and_the_build_discounts_at_it(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        loan_book(con, "0.08")
        assert con.sql("select interest_rate from contracts").fetchall() == [(0.08,)]
        stage, reason, horizon, ead, pd12, lgd, rate, allowance = the_loan(con)
        # stage 2 by the 76-day backstop: lifetime over the 18 remaining months (floor 12)
        assert (stage, reason, horizon) == ("stage_2", "dpd_backstop", 18)
        assert ead == Decimal("6000.00")
        assert pd12 == pytest.approx(0.08, abs=1e-9)  # grade C's prior
        assert lgd == 0.45  # unsecured, no loss history: the policy's unsecured LGD
        assert rate == 0.08
        # 6 000 x 0.45 x f with s = 0.92^(1/12), v = 1.08^(-1/12), 18 months
        expected = 6000 * 0.45 * factor(0.08, 18, 0.08)
        assert float(allowance) == pytest.approx(expected, abs=0.006)
        undiscounted = 6000 * 0.45 * (1 - 0.92 ** (18 / 12))
        assert float(allowance) < undiscounted - 10  # discounting 18 months at 8 % matters
    finally:
        con.close()


def test_a_file_without_the_column_loads_as_before_with_null_rates(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        result = loan_book(con, None)
        contracts = next(r for r in result.reports if r.table == "contracts")
        assert (contracts.rows_accepted, contracts.rows_rejected) == (1, 0)
        assert any("interest_rate" in note for note in contracts.notes)
        assert con.sql("select interest_rate from contracts").fetchall() == [(None,)]
        *_, rate, allowance = the_loan(con)
        assert rate is None
        # not discounted: f = PD_lifetime(18) = 1 - 0.92^(18/12)
        expected = 6000 * 0.45 * (1 - 0.92 ** (18 / 12))
        assert float(allowance) == pytest.approx(expected, abs=0.006)
        assert factor(0.08, 18, None) == pytest.approx(1 - 0.92 ** (18 / 12))
    finally:
        con.close()


@pytest.mark.parametrize(
    ("rate", "code", "limit"),
    [("-0.01", "at_least", "0"), ("6.5", "below", "1.0"), ("1.0", "below", "1.0")],
)
def test_a_negative_or_percent_rate_is_rejected_naming_file_row_column_rule(
    tmp_path, rate, code, limit
):
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        loan_book(con, "0.05")
        other = "K2,L1,loan,2025-02-01,2025-02-01,2026-12-31,3000,CNY,0,0,active,cfo,,0.07"
        changed = contracts_file(rate).decode().replace(",6000,", ",9000,") + other + "\n"
        result = load(con, {"contracts.csv": changed.encode()})
        assert result.exit_code == 1
        report = result.reports[0]
        assert (report.source, report.rows_read, report.rows_accepted, report.rows_rejected) == (
            "contracts.csv",
            2,
            1,
            1,
        )
        failures = report.failures.select("row_number", "column", "value", "rule").rows()
        assert len(failures) == 1
        row, column, value, rule = failures[0]
        assert (row, column, value) == (1, "interest_rate", rate)
        assert identify(rule) == (code, {"limit": limit})
        kept = con.sql(
            "select source_file, row_number, column_name, rule from quarantine"
        ).fetchall()
        assert kept == [("contracts.csv", 1, "interest_rate", rule)]
        # K1 keeps what it had (rate and amount); K2, valid, is added
        assert con.sql(
            "select contract_id, amount, interest_rate from contracts order by 1"
        ).fetchall() == [("K1", 6000.0, 0.05), ("K2", 3000.0, 0.07)]
    finally:
        con.close()


def test_the_rejection_reads_in_both_languages(tmp_path):
    from dashboard.components.rule_text import rule_text
    from dashboard.i18n import set_language

    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        load(con, {"customers.csv": CUSTOMERS.encode()})
        result = load(con, {"contracts.csv": contracts_file("-0.01")})
        (rule,) = result.reports[0].failures["rule"].to_list()
    finally:
        con.close()
    try:
        set_language("zh")
        assert rule_text(rule) == "必须 >= 0"
        set_language("en")
        assert rule_text(rule) == "must be >= 0"
    finally:
        set_language("en")


LOANS_MAPPING = """
[[file]]
pattern = "loans*.csv"
date_format = "%d.%m.%Y"
decimal = ","

[file.contracts]
contract_id = "Loan"
customer_id = "Client"
kind = { value = "loan" }
signed_on = "Start"
start_on = "Start"
end_on = "Maturity"
amount = "Principal"
currency = { value = "CNY" }
payment_terms_days = { value = 0 }
collateral_value = { value = 0 }
status = { value = "active" }
interest_rate = { column = "Rate", optional = true }
"""


def test_a_mapping_feeds_contracts_interest_rate(tmp_path):
    mapping = parse_mapping(tomllib.loads(LOANS_MAPPING), "loans.toml")
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        load(con, {"customers.csv": sample_files.CUSTOMERS.encode()})
        loans = "Loan;Client;Start;Maturity;Principal;Rate\nL-1;00123;01.02.2025;31.01.2027;1000,00;0,065\nL-2;C2;01.03.2025;28.02.2026;500,00;\n"  # fmt: skip
        result = commit(
            con, prepare(con, [("loans_2025.csv", loans.encode())], mapping=mapping), rebuild=False
        )
        assert result.exit_code == 0, [r.summary() for r in result.reports]
        assert con.sql(
            "select contract_id, interest_rate from contracts order by 1"
        ).fetchall() == [("L-1", 0.065), ("L-2", None)]
        # optional: a file of the same pattern without the column loads, rates left empty
        without = "Loan;Client;Start;Maturity;Principal\nL-3;C3;01.04.2025;31.03.2026;200,00\n"
        result = commit(
            con,
            prepare(con, [("loans_2026.csv", without.encode())], mapping=mapping),
            rebuild=False,
        )
        assert result.exit_code == 0, [r.summary() for r in result.reports]
        assert con.sql(
            "select interest_rate from contracts where contract_id = 'L-3'"
        ).fetchall() == [(None,)]
    finally:
        con.close()


# The sample file's contracts as rows of the version-4 table (no interest_rate column).
OLD_CONTRACTS = [
    ("K1", "00123", "sales", D("2024-02-01"), D("2024-02-01"), D("2025-01-31"), 120000.0, "CNY", 30, 0.0, "active", "Zhao", D("2024-08-01")),
    ("K2", "C2", "loan", D("2023-07-01"), D("2023-07-15"), D("2026-07-14"), 300000.0, "CNY", 0, 150000.0, "active", "Zhao", D("2024-06-30")),
    ("K3", "C3", "service", D("2024-03-10"), D("2024-04-01"), D("2024-09-30"), 20000.0, "CNY", 60, 0.0, "completed", "Qian", None),
]  # fmt: skip


def test_a_warehouse_built_before_migration_5_upgrades_and_keeps_its_rows(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    every = warehouse.migrations()
    assert every[4][1].name == "005_contracts_interest_rate.sql"
    # the warehouse as the code before this migration made it: versions 1-4
    monkeypatch.setattr(warehouse, "migrations", lambda: [m for m in every if m[0] < 5])
    # nor did that code mark a load without a build (warehouse_state.sources_unbuilt, version 6)
    import data.ingest

    real = data.ingest.execute
    monkeypatch.setattr(
        data.ingest,
        "execute",
        lambda con, name, **p: None if name == "load_mark_unbuilt" else real(con, name, **p),
    )
    old = warehouse.connect(path)
    assert warehouse.schema_version(old) == 4
    # customers through a load (that table is as before); contracts as that code stored them
    load(old, {"customers.csv": sample_files.CUSTOMERS.encode()})
    insert_rows(old, "contracts", OLD_CONTRACTS)
    assert "interest_rate" not in [r[0] for r in old.sql("describe contracts").fetchall()]
    before = old.sql("select * from contracts order by contract_id").fetchall()
    old.close()
    monkeypatch.undo()

    con = warehouse.connect(path)
    try:
        assert warehouse.schema_version(con) == max(v for v, _ in warehouse.migrations())
        after = con.sql("select * exclude (interest_rate) from contracts order by 1").fetchall()
        assert after == before and len(after) == 3
        assert con.sql("select count(interest_rate) from contracts").fetchall() == [(0,)]
        # the other tables and the load history are kept, and the file takes rates from now on
        assert warehouse.table_counts(con)["customers"] == 3
        assert con.sql("select table_name, rows_accepted from load_history").fetchall() == [
            ("customers", 3)
        ]
        header, *rows = sample_files.CONTRACTS.splitlines()
        rates = {"K2": "0.055"}
        rated = "\n".join(
            [f"{header},interest_rate"] + [f"{r},{rates.get(r.split(',')[0], '')}" for r in rows]
        )
        result = load(con, {"contracts.csv": rated.encode()})
        assert result.exit_code == 0, [r.summary() for r in result.reports]
        assert con.sql(
            "select contract_id, interest_rate from contracts order by 1"
        ).fetchall() == [("K1", None), ("K2", 0.055), ("K3", None)]
    finally:
        con.close()
