"""queries/watchlist.py on a hand-made customer_month whose answers are worked out below by hand.

Grid: 2026-01-31, 02-28, 03-31. Who is on the list (triggers) at each date:

    id  name                segment region owner  01-31       02-28       03-31 (grade score exposure overdue)
    W1  Alpha 100% Steel    Large   North  ana    [overdue]   [overdue]   [overdue]        D 70 500 100
    W2  Beta_Trade          Small   South  ben    [legal]     off         [legal, overdue] C 55 300 300
    W3  华东精密             Large   East   ana    off         [overdue]   [limit_breach]   E 90 200   0
    W4  Delta Logistics     Mid     North  cho    off         off         [operational, overdue] B 30 500 50
    W5  Epsilon Foods       Small   South  ben    [overdue]   [overdue]   off              A 10 100   0
    W6  Zeta Energy         Mid     West   cho    (no row)    (no row)    [concentration]  C 40  50   0

watchlist_spells and watchlist_month are built from it by the project's own build statements.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from data.runner import execute
from queries import watchlist
from queries.filters import DIMENSIONS, Filters

JAN, FEB, MAR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)
MASTER = {
    "W1": ("Alpha 100% Steel", "Large", "North", "manufacturing", "ana"),
    "W2": ("Beta_Trade", "Small", "South", "retail", "ben"),
    "W3": ("华东精密", "Large", "East", "manufacturing", "ana"),
    "W4": ("Delta Logistics", "Mid", "North", "logistics", "cho"),
    "W5": ("Epsilon Foods", "Small", "South", "food", "ben"),
    "W6": ("Zeta Energy", "Mid", "West", "energy", "cho"),
}
# (id, as_of, triggers, grade, score, exposure, overdue); earlier rows carry neutral risk figures
ROWS = [
    ("W1", JAN, ["overdue"], "D", 65.0, 450.0, 80.0),
    ("W1", FEB, ["overdue"], "D", 68.0, 480.0, 90.0),
    ("W1", MAR, ["overdue"], "D", 70.0, 500.0, 100.0),
    ("W2", JAN, ["legal"], "C", 50.0, 250.0, 0.0),
    ("W2", FEB, [], "B", 35.0, 250.0, 0.0),
    ("W2", MAR, ["legal", "overdue"], "C", 55.0, 300.0, 300.0),
    ("W3", JAN, [], "C", 45.0, 200.0, 0.0),
    ("W3", FEB, ["overdue"], "D", 75.0, 200.0, 50.0),
    ("W3", MAR, ["limit_breach"], "E", 90.0, 200.0, 0.0),
    ("W4", JAN, [], "B", 25.0, 400.0, 0.0),
    ("W4", FEB, [], "B", 28.0, 450.0, 0.0),
    ("W4", MAR, ["operational", "overdue"], "B", 30.0, 500.0, 50.0),
    ("W5", JAN, ["overdue"], "B", 35.0, 100.0, 20.0),
    ("W5", FEB, ["overdue"], "B", 35.0, 100.0, 20.0),
    ("W5", MAR, [], "A", 10.0, 100.0, 0.0),
    ("W6", MAR, ["concentration"], "C", 40.0, 50.0, 0.0),
]


PREVIOUS_DATE = {FEB: JAN, MAR: FEB}


def customer_month() -> pl.DataFrame:
    # previous_triggers: what the build carries over from the previous grid date ([] without a row)
    fired = {(cid, as_of): triggers for cid, as_of, triggers, *_ in ROWS}
    records = [
        {
            "customer_id": cid,
            "as_of": as_of,
            "name": MASTER[cid][0],
            "segment": MASTER[cid][1],
            "region": MASTER[cid][2],
            "industry": MASTER[cid][3],
            "owner": MASTER[cid][4],
            "grade": grade,
            "score": score,
            "exposure": exposure,
            "overdue_amount": overdue,
            "max_dpd": 40 if overdue else 0,
            "utilisation": 0.5,
            "triggers": triggers,
            "previous_triggers": fired.get((cid, PREVIOUS_DATE.get(as_of)), []),
            "on_watchlist": bool(triggers),
            "defaulted": False,
        }
        for cid, as_of, triggers, grade, score, exposure, overdue in ROWS
    ]
    return pl.DataFrame(
        records,
        schema_overrides={
            "max_dpd": pl.Int32,
            "triggers": pl.List(pl.String),
            "previous_triggers": pl.List(pl.String),
        },
    )


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    frame = customer_month()
    connection.register("frame", frame)
    connection.execute("create table customer_month as select * from frame")
    connection.execute(
        "create table month_grid as select unnest([$a, $b, $c]::date[]) as as_of",
        {"a": JAN, "b": FEB, "c": MAR},
    )
    connection.execute(
        "create table customers as select distinct customer_id, owner, 'active' as status from frame"
    )
    execute(connection, "build_watchlist_month")
    execute(connection, "build_watchlist_cube")
    execute(connection, "build_watchlist_spells")
    yield connection
    connection.close()


def ids(frame: pl.DataFrame) -> list[str]:
    return frame["customer_id"].to_list()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # 500 (W1), 500 (W4: tie, id order), 300, 200, 50
        ("exposure", ["W1", "W4", "W2", "W3", "W6"]),
        ("score", ["W3", "W1", "W2", "W6", "W4"]),  # 90, 70, 55, 40, 30
        ("overdue", ["W2", "W1", "W4", "W3", "W6"]),  # 300, 100, 50, 0, 0
        ("months_on_list", ["W1", "W3", "W2", "W4", "W6"]),  # 3, 2, then 1 each
    ],
)
def test_members_at_march_in_sort_order(con, sort, expected):
    got = watchlist.members(con, Filters(as_of=MAR), sort=sort)
    assert ids(got) == expected
    assert got["matching"].to_list() == [5] * 5


def test_months_on_list_count_grid_dates_of_the_current_spell(con):
    got = watchlist.members(con, Filters(as_of=MAR))
    months = dict(zip(ids(got), got["months_on_list"], strict=True))
    # W2 was on in January, off in February: its current spell is March only
    assert months == {"W1": 3, "W2": 1, "W3": 2, "W4": 1, "W6": 1}
    entered = dict(zip(ids(got), got["entered_on"], strict=True))
    assert entered["W1"] == JAN and entered["W2"] == MAR and entered["W3"] == FEB


def test_an_earlier_date_sees_that_dates_list(con):
    got = watchlist.members(con, Filters(as_of=FEB), sort="months_on_list")
    assert ids(got) == ["W1", "W5", "W3"]  # 2, 2, 1 months
    assert got["months_on_list"].to_list() == [2, 2, 1]


def test_limit_keeps_the_count_of_all_matching_rows(con):
    got = watchlist.members(con, Filters(as_of=MAR), limit=2)
    assert ids(got) == ["W1", "W4"]
    assert got["matching"].to_list() == [5, 5]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"grades": ("D", "E")}, ["W1", "W3"]),
        ({"triggers": ("overdue",)}, ["W1", "W4", "W2"]),
        ({"triggers": ("limit_breach", "concentration")}, ["W3", "W6"]),  # any of them
        ({"owners": ("ana",)}, ["W1", "W3"]),
        ({"min_exposure": 200.0, "max_exposure": 300.0}, ["W2", "W3"]),  # bounds included
        ({"min_exposure": 301.0}, ["W1", "W4"]),
        ({"segments": ("Large",)}, ["W1", "W3"]),
        ({"regions": ("North",), "industries": ("logistics",)}, ["W4"]),
        ({"grades": ("C",), "owners": ("ben",)}, ["W2"]),
        ({"grades": ("A",)}, []),  # W5 is grade A but off the list
    ],
)
def test_page_and_global_filters(con, filters, expected):
    chosen = {k: v for k, v in filters.items() if k in DIMENSIONS}  # the sidebar's
    page = {k: v for k, v in filters.items() if k not in DIMENSIONS}
    assert ids(watchlist.members(con, Filters(as_of=MAR, **chosen), **page)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steel", ["W1"]),  # any case
        ("  w4 ", ["W4"]),  # id, trimmed
        ("华东", ["W3"]),
        ("%", ["W1"]),  # a literal percent sign, not a wildcard (as LIKE would read it)
        ("_", ["W2"]),  # a literal underscore
        ("a_t", ["W2"]),
        ("' or 1=1 --", []),  # bound as a value: matches nothing
        ("", ["W1", "W4", "W2", "W3", "W6"]),
    ],
)
def test_search_matches_name_or_id_literally(con, text, expected):
    assert ids(watchlist.members(con, Filters(as_of=MAR), search=text)) == expected


def test_a_sort_outside_the_allow_list_is_refused(con):
    with pytest.raises(ValueError, match="sort must be one of"):
        watchlist.members(con, Filters(as_of=MAR), sort="exposure desc; drop table customers")


def test_new_entrants_are_on_now_and_were_not_at_the_previous_date(con):
    got = watchlist.new_entrants(con, Filters(as_of=MAR))
    # W2 (off in February), W4 (off), W6 (no February row); largest exposure first
    assert ids(got) == ["W4", "W2", "W6"]
    assert got["new_triggers"].to_list() == [
        ["operational", "overdue"],
        ["legal", "overdue"],
        ["concentration"],
    ]
    assert ids(watchlist.new_entrants(con, Filters(as_of=FEB))) == ["W3"]
    assert ids(watchlist.new_entrants(con, Filters(as_of=MAR, regions=("South",)))) == ["W2"]


EXPECTED_TREND = {
    # (as_of, trigger): (members, inflow, outflow); the first grid date has nothing to compare with
    (JAN, "any"): (3, 0, 0),
    (FEB, "any"): (3, 1, 1),  # W3 in, W2 out
    (MAR, "any"): (5, 3, 1),  # W2, W4, W6 in; W5 out
    (JAN, "overdue"): (2, 0, 0),
    (FEB, "overdue"): (3, 1, 0),  # W3 in
    (MAR, "overdue"): (3, 2, 2),  # W2, W4 in; W3, W5 out
    (JAN, "legal"): (1, 0, 0),
    (FEB, "legal"): (0, 0, 1),
    (MAR, "legal"): (1, 1, 0),
    (MAR, "limit_breach"): (1, 1, 0),
    (MAR, "operational"): (1, 1, 0),
    (MAR, "concentration"): (1, 1, 0),
}


def as_dict(trend: pl.DataFrame) -> dict:
    return {
        (r["as_of"], r["trigger"]): (r["members"], r["inflow"], r["outflow"])
        for r in trend.iter_rows(named=True)
        if r["members"] or r["inflow"] or r["outflow"]
    }


def test_portfolio_trend_reads_watchlist_month(con):
    assert as_dict(watchlist.trend(con, Filters(as_of=MAR))) == EXPECTED_TREND


def test_filtered_trend_computed_from_customer_month_matches_by_hand(con):
    everyone = ("Large", "Mid", "Small")
    assert as_dict(watchlist.trend(con, Filters(as_of=MAR, segments=everyone))) == EXPECTED_TREND
    # Small = W2 and W5
    small = as_dict(watchlist.trend(con, Filters(as_of=MAR, segments=("Small",))))
    assert small[(JAN, "any")] == (2, 0, 0)
    assert small[(FEB, "any")] == (1, 0, 1)  # W2 out
    assert small[(MAR, "any")] == (1, 1, 1)  # W2 in, W5 out


def test_trend_stops_at_the_as_of_date(con):
    trend = watchlist.trend(con, Filters(as_of=FEB, regions=("North", "South", "East", "West")))
    assert trend["as_of"].max() == FEB
    assert as_dict(trend) == {k: v for k, v in EXPECTED_TREND.items() if k[0] <= FEB}


def test_owners_are_distinct_and_sorted(con):
    assert watchlist.owners(con)["owner"].to_list() == ["ana", "ben", "cho"]


# --- the demo warehouse: the same questions against independent SQL ------------------------------


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def test_demo_filters_match_independent_sql(demo_con):
    as_of = latest(demo_con)
    got = watchlist.members(
        demo_con, Filters(as_of=as_of), grades=("C", "D"), triggers=("overdue",), limit=100_000
    )
    expected = demo_con.sql(
        "select count(*) from customer_month where as_of = $d and on_watchlist "
        "and grade in ('C', 'D') and list_contains(triggers, 'overdue')",
        params={"d": as_of},
    ).fetchall()[0][0]
    assert got.height == expected == got["matching"][0]


def test_demo_filtered_trend_equals_watchlist_month_when_the_filter_covers_everything(demo_con):
    as_of = latest(demo_con)
    segments = tuple(
        r[0] for r in demo_con.sql("select distinct segment from customers").fetchall()
    )
    key = ["as_of", "trigger"]
    portfolio = watchlist.trend(demo_con, Filters(as_of=as_of)).sort(key)
    assert portfolio.equals(
        watchlist.trend(demo_con, Filters(as_of=as_of, segments=segments)).sort(key)
    )
    assert portfolio["as_of"].n_unique() == 24


def test_the_cube_adds_up_to_the_portfolio_watchlist_month(con):
    from schemas.results import validate_result

    cube = validate_result("watchlist_cube", con.sql("select * from watchlist_cube").pl())
    summed = cube.group_by("as_of", "trigger").agg(
        pl.col("members").sum(), pl.col("inflow").sum(), pl.col("outflow").sum()
    )
    month = con.sql("select * from watchlist_month where members > 0 or outflow > 0").pl()
    joined = month.join(summed, on=["as_of", "trigger"], how="full", coalesce=True, suffix="_cube")
    assert joined.height == month.height == summed.height
    assert (joined["members"] == joined["members_cube"]).all()
    # watchlist_month leaves the first date's flows null; the cube counts them as 0
    assert (joined["inflow"].fill_null(0) == joined["inflow_cube"]).all()
    assert (joined["outflow"].fill_null(0) == joined["outflow_cube"]).all()
    # W2 (South, Small) left in February and came back in March with two triggers
    w2 = cube.filter(pl.col("region") == "South", pl.col("segment") == "Small")
    assert one_row(w2, as_of=MAR, trigger="legal")[5:] == (1, 1, 0)


def one_row(frame: pl.DataFrame, **keys: object) -> tuple:
    rows = frame.filter(**keys).rows()
    assert len(rows) == 1
    return rows[0]
