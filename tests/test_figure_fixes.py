"""Smaller fixes on the same figures (issue 13, item 6), on the tiny warehouses computed by hand:
grade counts include customers without exposure, one "90+" (share of receivables), the "What
changed" summary names its top contributors with their shares, a closed customer still owing is
flagged. Month axes are tested in tests/test_month_axis.py.

The book (tests/tiny_warehouse.py BOOK_*, as of 2025-10-31): R1 owes nothing (Q1 written off, Q2
paid), R2 owes Q4 3000 - 1000 credited = 2000, R3 (status closed) owes its last loan instalment Q7
of 1000."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import grades_charts, portfolio_charts
from dashboard.components.summary import SummaryInputs, summary_text
from queries import collections, credit_control, customer, grades, portfolio, watchlist, whatif
from queries.filters import Filters
from tests.conftest import page_path
from tests.tiny_warehouse import BOOK_AS_OF, build_book, build_tiny

D = date.fromisoformat


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "book.duckdb"
    con, _ = build_book(path)
    con.close()
    return path


@pytest.fixture
def book(book_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(book_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con, _ = build_tiny(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    yield con
    con.close()


# ---------- (a) grade distributions count every customer ----------


def test_grades_count_customers_without_exposure(book: duckdb.DuckDBPyConnection) -> None:
    rows = portfolio.grades(book, Filters(as_of=BOOK_AS_OF))
    # R1 (no exposure) grades A; R2 (2000) and R3 (1000) grade B
    assert rows.select("grade", "customers", "customers_no_exposure", "exposure").rows() == [
        ("A", 0, 1, 0.0),
        ("B", 2, 0, 3000.0),
        ("C", 0, 0, 0.0),
        ("D", 0, 0, 0.0),
        ("E", 0, 0, 0.0),
    ]
    # every customer the What-if page counts
    total = rows["customers"].sum() + rows["customers_no_exposure"].sum()
    assert total == whatif.snapshot(book, Filters(as_of=BOOK_AS_OF)).height == 3


def test_grades_by_dimension_and_histogram_count_everyone(book: duckdb.DuckDBPyConnection) -> None:
    split = grades.by_dimension(book, Filters(as_of=BOOK_AS_OF), dimension="region")
    assert split.select("grp", "grade", "customers", "customers_no_exposure").rows() == [
        ("North", "A", 0, 1),  # R1
        ("North", "B", 1, 0),  # R2
        ("South", "B", 1, 0),  # R3
    ]
    histogram = grades.score_histogram(book, Filters(as_of=BOOK_AS_OF))
    assert histogram["customers"].sum() == 2
    assert histogram["customers_no_exposure"].sum() == 1
    figure = grades_charts.by_dimension(split, "t", "customers", "No exposure")
    idle = next(trace for trace in figure.data if trace.name == "No exposure")
    assert dict(zip(idle.y, idle.x, strict=True)) == {"North": 1, "South": 0}
    # measuring exposure, there is no grey segment
    assert len(grades_charts.by_dimension(split, "t", "exposure", "No exposure").data) == 5


def test_grade_chart_ends_with_a_no_exposure_bar() -> None:
    frame = pl.DataFrame(
        {
            "grade": list("ABCDE"),
            "customers": [5, 4, 3, 2, 1],
            "customers_no_exposure": [2, 1, 0, 0, 0],
            "exposure": [50.0, 40, 30, 20, 10],
        }
    )
    figure = portfolio_charts.grade_distribution(frame, "t", "Customers", "Exposure", "No exposure")
    counts = figure.data[0]
    assert list(counts.x) == ["A", "B", "C", "D", "E", "No exposure"]
    assert list(counts.y) == [5, 4, 3, 2, 1, 3]
    assert list(figure.data[1].x) == ["A", "B", "C", "D", "E"]  # exposure: grades only


# ---------- (b) one "90+": receivables more than 90 days past due ÷ receivables ----------


def test_ninety_plus_is_a_share_of_receivables_on_overview_and_collections(
    book: duckdb.DuckDBPyConnection,
) -> None:
    june, may = D("2025-06-30"), D("2025-05-31")
    rates = portfolio.collection_rate(book, Filters(as_of=june))
    # 06-30: Q1 5000 (150 days past due) + Q4 3000 (issued 06-01, not due) = 8000 receivable,
    # 5000 of it 90+; the loan's instalments are not billed yet. 05-31: Q1 5000 and Q3 2000,
    # both 120 days past due: all 7000 is 90+.
    by_date = {r["as_of"]: r for r in rates.iter_rows(named=True)}
    assert (by_date[june]["receivables"], by_date[june]["overdue_90p"]) == (8000.0, 5000.0)
    assert by_date[june]["overdue_90p_share"] == pytest.approx(5000 / 8000)
    assert by_date[may]["overdue_90p_share"] == pytest.approx(1.0)
    monthly = collections.monthly(book, Filters(as_of=june))
    assert monthly.filter(pl.col("as_of") == june)["overdue_90p_share"][0] == pytest.approx(0.625)
    # not the exposure-based ratio the Overview used to show: 5000 ÷ exposure 11000 (the loan's
    # 3000 of principal is exposure from its start on 06-01)
    kpis = (
        portfolio.kpis(book, Filters(as_of=june))
        .filter(pl.col("period") == "current")
        .row(0, named=True)
    )
    assert kpis["overdue_90p"] / kpis["exposure"] == pytest.approx(5000 / 11000)


# ---------- (d) "What changed" names the top contributors with their shares ----------


def test_el_drivers_are_customers_with_their_share_of_the_change(
    tiny: duckdb.DuckDBPyConnection,
) -> None:
    drivers = portfolio.el_drivers(tiny, Filters(as_of=D("2026-02-28")))
    # 2026-01-31 -> 02-28: C3 defaults (PD 0.3 -> 1, LGD 0.45, EAD 4000): 540 -> 1800, +1260;
    # C5 defaults (PD 0.005 -> 1, LGD 0.45, EAD 1500): 3.375 -> 675, +671.625; C2 5 -> 16, +11;
    # C1 43.2 -> 34.2, -9 (moved the other way: not a driver); C4 5 -> 5.
    total = 1260 + 671.625 + 11 - 9
    assert drivers["customer_id"].to_list() == ["C3", "C5", "C2"]
    assert drivers["change"].to_list() == pytest.approx([1260, 671.625, 11])
    assert drivers["total_change"].to_list() == pytest.approx([total] * 3)
    assert drivers["share_of_change"].to_list() == pytest.approx(
        [1260 / total, 671.625 / total, 11 / total]
    )
    text = summary_text(
        SummaryInputs(
            exposure=1.0,
            previous_exposure=None,
            # portfolio EL: 34.2 + 16 + 1800 + 5 + 675 at 02-28, 43.2 + 5 + 540 + 5 + 3.375 before
            expected_loss=2530.2,
            previous_expected_loss=596.575,
            drivers=tuple(drivers.select("name", "change", "share_of_change").rows()),
            new_on_watchlist=0,
            top_trigger=None,
            watchlist=0,
        )
    )
    # 1260 / 1933.625 = 65 %, 671.625 / 1933.625 = 35 %, 11 / 1933.625 = 1 %; together 1942.625
    # of a 1933.625 change = 100 %
    assert text.startswith(
        "Expected loss rose 324 % to ¥2.5K. The 3 largest moves: Gamma Retail +¥1.3K (65 %), "
        "Epsilon Foods +¥672 (35 %), Beta Logistics +¥11 (1 %), together 100 % of the change."
    )


def test_summary_names_one_contributor_and_skips_those_against_the_change() -> None:
    def text(drivers: tuple) -> str:
        return summary_text(SummaryInputs(1.0, None, 90.0, 100.0, drivers, 0, None, 0))

    assert text((("Kappa", -8.0, 0.8),)).startswith(
        "Expected loss fell 10 % to ¥90. The largest move: Kappa -¥8, 80 % of the change."
    )
    # a rise cannot explain a fall
    assert text((("Kappa", 8.0, 0.8),)).startswith("Expected loss fell 10 % to ¥90.")
    assert "largest" not in text((("Kappa", 8.0, 0.8),))


# ---------- (e) a closed customer still owing money is flagged ----------


def test_closed_customer_with_money_owed_is_flagged_in_every_list(
    book: duckdb.DuckDBPyConnection,
) -> None:
    flags = {
        c: customer.profile(book, customer_id=c, as_of=BOOK_AS_OF)["closed_owing"][0]
        for c in ("R1", "R2", "R3")
    }
    assert flags == {"R1": False, "R2": False, "R3": True}
    # before its loan started (2025-05-31) R3 was closed but owed nothing
    assert not customer.profile(book, customer_id="R3", as_of=D("2025-05-31"))["closed_owing"][0]
    members = watchlist.members(book, Filters(as_of=BOOK_AS_OF), limit=10)
    assert dict(members.select("customer_id", "closed_owing").rows()) == {"R2": False, "R3": True}
    lists = credit_control.customer_lists(book, Filters(as_of=BOOK_AS_OF))
    everyone = lists.filter(pl.col("list") == "all")
    assert dict(everyone.select("customer_id", "closed_owing").rows()) == {"R2": False, "R3": True}
    assert lists["closed_owing_customers"].unique().to_list() == [1]


def test_customer_page_warns_about_a_closed_account_still_owing(
    book_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISK_DB", str(book_path))
    at = AppTest.from_file(page_path("customer"), default_timeout=60)
    at.query_params["customer"] = "R3"
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("Closed account, still owing" in w and "owes ¥1.0K" in w for w in warnings), warnings
    at.query_params["customer"] = "R2"
    at.run()
    assert not any("Closed account" in w.value for w in at.warning)


def test_watchlist_page_flags_the_closed_customer(
    book_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISK_DB", str(book_path))
    at = AppTest.from_file(page_path("watchlist"), default_timeout=60).run()
    assert not at.exception
    assert any("1 customers on this list are closed" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "account" in d.value.columns)
    flagged = dict(zip(table["customer_id"], table["account"], strict=True))
    assert flagged == {"R2": "", "R3": "closed, still owes"}
