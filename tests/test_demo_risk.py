"""The risk engine on the demo portfolio: the grades rank risk and the watchlist warns before defaults."""

from __future__ import annotations

import pytest


def test_pd_rises_from_a_to_e(demo_con):
    rows = demo_con.sql(
        "select grade, pd_used, observations, observed_rate, enough_observations, ranking"
        " from pd_calibration order by grade"
    ).fetchall()
    assert [r[0] for r in rows] == ["A", "B", "C", "D", "E"]
    pds = [r[1] for r in rows]
    assert all(low < high for low, high in zip(pds, pds[1:], strict=False)), pds
    # the ranking claim follows the observed rates, never the PDs (which lean on the priors):
    # 'ranks' only with enough observations everywhere and observed rates rising
    enough = all(r[4] for r in rows)
    rates = [r[3] for r in rows]
    rising = all(
        lo is not None and hi is not None and lo < hi
        for lo, hi in zip(rates, rates[1:], strict=False)
    )
    expected = "too_few_observations" if not enough else ("ranks" if rising else "does_not_rank")
    assert {r[5] for r in rows} == {expected}


def test_observed_default_rate_rises_where_history_is_thick(demo_con):
    rows = demo_con.sql(
        "select grade, observed_rate from pd_calibration where enough_observations order by grade"
    ).fetchall()
    rates = [r[1] for r in rows]
    assert len(rates) >= 2
    assert rates == sorted(rates)


def test_at_least_half_of_defaults_were_on_the_watchlist_beforehand(demo_con):
    defaults, flagged, lead = demo_con.sql(
        "select count(*), count(*) filter (where on_watchlist_before), avg(lead_months) from early_warning"
    ).fetchall()[0]
    assert defaults >= 10
    assert flagged / defaults >= 0.5, (flagged, defaults)
    assert lead > 0


def test_default_12m_and_previous_triggers_match_their_definitions_row_by_row(demo_con):
    # worked out again here in Polars, from customer_month's own rows, independently of the build SQL
    from datetime import date

    import polars as pl

    rows = demo_con.sql(
        "select customer_id, as_of, defaulted, triggers, previous_triggers, default_12m"
        " from customer_month order by customer_id, as_of"
    ).pl()
    grid = sorted(rows["as_of"].unique().to_list())
    previous_date = dict(zip(grid[1:], grid[:-1], strict=True))
    by_key = {(c, d): t for c, d, t in rows.select("customer_id", "as_of", "triggers").iter_rows()}
    defaults: dict[str, list[date]] = {}
    for c, d in rows.filter(pl.col("defaulted")).select("customer_id", "as_of").iter_rows():
        defaults.setdefault(c, []).append(d)

    def horizon(day: date) -> date:
        # last day of the month 12 months on
        year, month = day.year + 1, day.month
        first_next = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(first_next.toordinal() - 1)

    bad_rows = 0
    for c, d, _defaulted, _t, previous, default_12m in rows.iter_rows():
        expected_previous = by_key.get((c, previous_date.get(d)), [])
        assert previous == expected_previous, (c, d)
        expected_bad = any(d < x <= horizon(d) for x in defaults.get(c, []))
        assert default_12m == expected_bad, (c, d)
        bad_rows += expected_bad
    assert bad_rows > 0


def test_last_review_is_the_latest_contract_or_credit_review_on_or_before_the_date(demo_con):
    import polars as pl

    rows = demo_con.sql("select customer_id, as_of, last_review from customer_month").pl()
    # contract reviews and credit reviews both count
    reviews = demo_con.sql(
        "select customer_id, last_reviewed_on from contracts where last_reviewed_on is not null"
        " union all select customer_id, effective_on from credit_reviews"
    ).pl()
    dates: dict[str, list] = {}
    for c, d in reviews.iter_rows():
        dates.setdefault(c, []).append(d)
    checked = 0
    for c, as_of, last_review in rows.sample(n=3000, seed=1).iter_rows():
        earlier = [d for d in dates.get(c, []) if d <= as_of]
        assert last_review == (max(earlier) if earlier else None), (c, as_of)
        checked += last_review is not None
    assert checked > 0
    assert rows["last_review"].dtype == pl.Date


def test_exposure_equals_receivables_on_the_invoice_book_every_month(demo_con):
    # the demo manufacturer sells on invoices only: exposure and receivables are the same rows
    kinds = {r[0] for r in demo_con.sql("select distinct kind from contracts").fetchall()}
    assert kinds <= {"sales", "service"}, kinds
    exposure = dict(
        demo_con.sql("select as_of, sum(exposure) from customer_month group by as_of").fetchall()
    )
    receivables = dict(
        demo_con.sql(
            "select as_of, sum(receivables) from collections_month group by as_of"
        ).fetchall()
    )
    grid = [r[0] for r in demo_con.sql("select as_of from month_grid").fetchall()]
    assert len(grid) > 24 and set(exposure) == set(grid)
    for as_of in grid:
        assert exposure[as_of] == pytest.approx(receivables.get(as_of, 0.0), rel=1e-9, abs=0.01), (
            as_of
        )


def test_collections_flows_reconcile_every_month(demo_con):
    rows = demo_con.sql(
        "select as_of, sum(opening_receivables), sum(credit_sales), sum(collected),"
        " sum(written_off), sum(credited), sum(receivables) from collections_month group by as_of"
    ).fetchall()
    for as_of, opening, sales, collected, written_off, credited, closing in rows:
        assert opening + sales - collected - written_off - credited == pytest.approx(
            closing, abs=0.01
        ), as_of
