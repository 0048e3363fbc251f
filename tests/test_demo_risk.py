"""The risk engine on the demo portfolio: the grades rank risk and the watchlist warns before defaults."""

from __future__ import annotations


def test_pd_rises_from_a_to_e(demo_con):
    rows = demo_con.sql(
        "select grade, pd_used, ranks_ok from pd_calibration order by grade"
    ).fetchall()
    assert [r[0] for r in rows] == ["A", "B", "C", "D", "E"]
    pds = [r[1] for r in rows]
    assert all(low < high for low, high in zip(pds, pds[1:], strict=False)), pds
    assert all(r[2] for r in rows)


def test_observed_default_rate_rises_where_history_is_thick(demo_con):
    rows = demo_con.sql(
        "select grade, observed_rate from pd_calibration where source = 'observed' order by grade"
    ).fetchall()
    rates = [r[1] for r in rows]
    assert len(rates) >= 3
    assert rates == sorted(rates)


def test_at_least_half_of_defaults_were_on_the_watchlist_beforehand(demo_con):
    defaults, flagged, lead = demo_con.sql(
        "select count(*), count(*) filter (where on_watchlist_before), avg(lead_months) from early_warning"
    ).fetchall()[0]
    assert defaults >= 10
    assert flagged / defaults >= 0.5, (flagged, defaults)
    assert lead > 0
