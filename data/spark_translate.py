"""The build's SQL files (data/sql/build_*.sql, DuckDB's dialect) as Spark SQL, mechanically.

Each build file is one `create or replace table|view X as <query>`. `spark_step` parses it with
sqlglot (read="duckdb"), binds the step's parameters into the syntax tree as typed literals (never
by string formatting: a `$name` placeholder node is replaced by a literal node), applies the
transforms below, and writes the query in Spark's dialect (write="spark"). The result is written as
table X by data.spark_build.

The hand-written Spark equivalents are syntax-tree transforms, listed in `TRANSFORMS` in the
order they run; tests/test_spark_engine.py runs an example of each on DuckDB untranslated and on
Spark translated and compares the results. They are transforms, not per-step override files under
data/spark/, so that no risk definition has a second copy: each rewrites one DuckDB construct
wherever it occurs, in any step, and a step needs no Spark text of its own.

- named_windows: `over (w rows between ...)` (a named window plus a frame) written out in full.
- date_difference: date - date is days in DuckDB, an INTERVAL in Spark: `datediff(a, b)`; dates
  are told by the warehouse's naming (`as_of`, `*_on`), see `is_date`.
- decimal_division: DuckDB's `/` is always DOUBLE; Spark divides decimals as decimals.
- double_rounding: `round(x, n)` half away from zero on the double's exact binary value, as DuckDB.
- asof_join: `asof left join` as a left join on the right rows with their next time (lead()).
- zipped_unnest: several `unnest()` in one select zip their lists: `inline(arrays_zip(...))`.
- list_comprehension: `[f(x) for x in l if p(x)]` as `transform(filter(l, ...), ...)`.
- list_length: DuckDB's `len(list)` as `size(list)` (the build files take `len` of lists only).
- list_functions: `list_extract`, `error`, `to_months`, `list_reduce(list(v order by k), f)`.
- month_difference: `date_diff('month', a, b)` counts month boundaries, as DuckDB does.
- simplified_unpivot: DuckDB's `unpivot q on ... into name n value v` statement as Spark's UNPIVOT.
- union_by_name: `union all by name` as a union of both sides' columns selected by name.
- generator_cast: `unnest(l)::T` as `explode(cast(l as array<T>))`.
- product_aggregate: DuckDB's `product()` aggregate and window function, folded by `aggregate()`.

A shape a transform cannot carry is refused (`UntranslatableStep`); a function sqlglot passes
through by name that Spark lacks fails in Spark's analysis of the step. Either way the build stops
before it swaps anything in (data.spark_build).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp


class UntranslatableStep(ValueError):
    """A build step holds a construct the translation cannot carry to Spark."""


@dataclass(frozen=True)
class SparkStep:
    """One build step in Spark SQL: the table or view it creates, and the query that fills it."""

    name: str
    kind: str  # "table" or "view"
    query: str


def literal(value: Any) -> exp.Expression:
    """A typed SQL literal node for a bound parameter's value, as DuckDB would bind it from Python:
    float as DOUBLE (a bare 0.45 is a DECIMAL in Spark), date as DATE, list as an array."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.Type.DOUBLE)
    if isinstance(value, Decimal):
        return exp.Literal.number(str(value))
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    raise UntranslatableStep(f"no literal for a parameter of type {type(value).__name__}")


def bind_parameters(query: exp.Expression, params: dict[str, Any]) -> exp.Expression:
    """`query` with every `$name` placeholder replaced by the literal of params[name]."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder | exp.Parameter) and node.name:
            if node.name not in params:
                raise UntranslatableStep(f"no value for parameter ${node.name}")
            return literal(params[node.name])
        return node

    return query.transform(replace)


def template(spark_sql: str, **nodes: exp.Expression) -> exp.Expression:
    """A Spark expression parsed from `spark_sql` with each column named __<key> replaced by a
    copy of nodes[key]: syntax trees put together, never text."""
    tree = sqlglot.parse_one(spark_sql, read="spark")

    def fill(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.startswith("__"):
            return nodes[node.name[2:]].copy()
        return node

    return tree.transform(fill)


def decimal_division(query: exp.Expression) -> exp.Expression:
    """a / b as double / double, as DuckDB computes it."""

    def to_double(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Div):
            return exp.Div(
                this=exp.cast(node.this, exp.DataType.Type.DOUBLE),
                expression=exp.cast(node.expression, exp.DataType.Type.DOUBLE),
            )
        return node

    return query.transform(to_double)


def asof_join(query: exp.Expression) -> exp.Expression:
    """`l asof left join r on r.k = l.k and l.t >= r.t`: the r row with the greatest r.t on or
    before l.t (strictly before for `>`), as a left join on the r rows with their next r.t,
    `lead(t) over (partition by k order by t)`: l.t >= r.t and (l.t < next or next is null).
    Spark has no ASOF join. Every build file's ASOF join reads a table whose key and time identify
    its rows; on ties DuckDB takes any one row, this takes the last one lead() orders."""
    for join in list(query.find_all(exp.Join)):
        if str(join.args.get("method") or "").upper() != "ASOF":
            continue
        right = join.this
        if not isinstance(right, exp.Table):
            raise UntranslatableStep("an ASOF join on anything but a named table or CTE")
        alias = right.alias_or_name
        conditions = (
            list(join.args["on"].flatten())
            if isinstance(join.args["on"], exp.And)
            else [join.args["on"]]
        )
        keys: list[exp.Expression] = []
        order: tuple[exp.Expression, exp.Expression, bool] | None = None
        for cond in conditions:
            sides = [cond.this, cond.expression]
            mine = [isinstance(s, exp.Column) and s.table == alias for s in sides]
            if isinstance(cond, exp.EQ) and any(mine):
                keys.append(sides[mine.index(True)])
            elif isinstance(cond, exp.GTE | exp.GT) and mine == [False, True]:
                order = (cond.this, cond.expression, isinstance(cond, exp.GT))
            elif isinstance(cond, exp.LTE | exp.LT) and mine == [True, False]:
                order = (cond.expression, cond.this, isinstance(cond, exp.LT))
            else:
                raise UntranslatableStep(f"an ASOF join condition of another shape: {cond.sql()}")
        if order is None or not keys:
            raise UntranslatableStep("an ASOF join without equality keys and one inequality")
        outer, inner, strict = order
        unqualified = [exp.column(k.name) for k in keys]
        ranked = template(
            "select *, lead(__t) over (partition by __keys order by __t) as __asof_next "
            "from __table where __t is not null",
            t=exp.column(inner.name),
            keys=exp.Tuple(expressions=unqualified),
            table=exp.column(right.name),
        )
        window = ranked.selects[1].this
        window.set("partition_by", unqualified)
        ranked.set("from_", exp.From(this=exp.table_(right.name)))
        following = exp.column("__asof_next", table=alias)
        bound = (
            exp.LTE(this=outer.copy(), expression=following)
            if strict
            else exp.LT(this=outer.copy(), expression=following)
        )
        join.set(
            "this", exp.Subquery(this=ranked, alias=exp.TableAlias(this=exp.to_identifier(alias)))
        )
        join.set("method", None)
        join.set(
            "on",
            exp.and_(
                join.args["on"],
                exp.or_(bound, exp.Is(this=following.copy(), expression=exp.Null())),
            ),
        )
        select = join.parent_select
        if select is not None and any(
            isinstance(p, exp.Star)
            or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star) and p.table == alias)
            for p in select.expressions
        ):
            raise UntranslatableStep("an ASOF join under `select *` of its right side")
    return query


def zipped_unnest(query: exp.Expression) -> exp.Expression:
    """`select unnest(a) as x, unnest(b) as y`: DuckDB unnests lists side by side (row i of each);
    Spark allows one generator per select. As `inline(arrays_zip(a, b)) as (x, y)`."""
    for select in list(query.find_all(exp.Select)):
        projections = select.expressions
        if len(projections) < 2 or not all(
            isinstance(p, exp.Alias) and isinstance(p.this, exp.Explode) for p in projections
        ):
            continue
        zipped = exp.Inline(
            this=exp.ArraysZip(expressions=[p.this.this.copy() for p in projections])
        )
        names = [exp.to_identifier(p.alias) for p in projections]
        select.set("expressions", [exp.Aliases(this=zipped, expressions=names)])
    return query


def list_comprehension(query: exp.Expression) -> exp.Expression:
    """`[f(x) for x in list if p(x)]` as `transform(filter(list, x -> p(x)), x -> f(x))`."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not (
            isinstance(node, exp.Array)
            and len(node.expressions) == 1
            and isinstance(node.expressions[0], exp.Comprehension)
        ):
            return node
        comp = node.expressions[0]
        var = comp.expression
        result = comp.args["iterator"]
        if comp.args.get("condition") is not None:
            result = exp.ArrayFilter(
                this=result, expression=exp.Lambda(this=comp.args["condition"], expressions=[var])
            )
        if not (isinstance(comp.this, exp.Column) and comp.this.name == var.name):
            result = exp.Transform(
                this=result, expression=exp.Lambda(this=comp.this, expressions=[var.copy()])
            )
        return result

    return query.transform(rewrite)


def list_length(query: exp.Expression) -> exp.Expression:
    """DuckDB's `len(list)` as Spark's `size(list)`. The build files take `len` of lists only
    (no build step measures a string), and sqlglot reads `len` as a string's length."""
    return query.transform(lambda n: exp.ArraySize(this=n.this) if isinstance(n, exp.Length) else n)


def list_functions(query: exp.Expression) -> exp.Expression:
    """DuckDB functions sqlglot passes through by name: `list_extract(l, i)` (1-based, null out
    of range) as `element_at(l, i)`, `error(msg)` as `raise_error(msg)`, `to_months(n)` as
    `make_ym_interval(0, n)`, and `list_reduce(list(v order by k), f)` (an ordered list folded
    left to right from its first element) as Spark's `aggregate` over
    `transform(array_sort(collect_list(struct(k, v))), s -> s.v)`."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Anonymous):
            return node
        name, args = node.name.lower(), node.expressions
        if name == "list_extract":
            index = exp.cast(args[1], exp.DataType.Type.INT)  # Spark indexes by an INT only
            return exp.Anonymous(this="element_at", expressions=[args[0], index])
        if name == "error":
            return exp.Anonymous(this="raise_error", expressions=args)
        if name == "to_months":
            return template("make_ym_interval(0, __n)", n=args[0])
        if name == "list_reduce":
            items, merge = args
            if isinstance(items, exp.ArrayAgg) and isinstance(items.this, exp.Order):
                order = items.this
                keys = [o.this for o in order.expressions]
                if len(keys) != 1 or order.expressions[0].args.get("desc"):
                    raise UntranslatableStep("list(... order by) on more than one ascending key")
                items = template(
                    "transform(array_sort(collect_list(struct(__k as k, __v as v))), s -> s.v)",
                    k=keys[0],
                    v=order.this,
                )
            return template(
                "aggregate(slice(__l, 2, greatest(size(__l) - 1, 0)), element_at(__l, 1), __f)",
                l=items,
                f=merge,
            )
        return node

    return query.transform(rewrite)


def month_difference(query: exp.Expression) -> exp.Expression:
    """`date_diff('month', a, b)` counts month boundaries crossed in DuckDB (Jan 31 to Feb 1 is
    1), Spark's DATEDIFF(MONTH, ...) whole months elapsed (0): as year * 12 + month of b - of a."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.DateDiff) and str(node.args.get("unit") or "").upper() == "MONTH":
            return template(
                "(year(__b) * 12 + month(__b)) - (year(__a) * 12 + month(__a))",
                a=node.expression,
                b=node.this,
            )
        if isinstance(node, exp.DateDiff) and str(node.args.get("unit") or "DAY").upper() != "DAY":
            raise UntranslatableStep(f"date_diff by {node.args.get('unit')}")
        return node

    return query.transform(rewrite)


def simplified_unpivot(query: exp.Expression) -> exp.Expression:
    """DuckDB's `unpivot (q) on a, b into name n value v` statement as Spark's
    `select * from (q) unpivot (v for n in (a, b))` (both leave out null values)."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not (isinstance(node, exp.Pivot) and node.args.get("unpivot") and node.args.get("into")):
            return node
        into = node.args["into"]
        if len(into.expressions) != 1 or node.args.get("include_nulls"):
            raise UntranslatableStep("an UNPIVOT of several value columns or with nulls")
        source = node.this.copy()
        source.set(
            "pivots",
            [
                exp.Pivot(
                    expressions=[exp.to_identifier(into.expressions[0].name)],
                    fields=[
                        exp.In(
                            this=exp.to_identifier(into.this.name),
                            expressions=[c.copy() for c in node.expressions],
                        )
                    ],
                    unpivot=True,
                )
            ],
        )
        return exp.select("*").from_(source)

    return query.transform(rewrite)


def union_by_name(query: exp.Expression) -> exp.Expression:
    """`q1 union all by name q2`: Spark SQL has no BY NAME. Each side as a select of the output
    columns by name, in q1's order then q2's new ones, null where a side lacks one. A side's
    columns are its projections' names, through `select * from <cte>` to the CTE's."""
    ctes = {cte.alias: cte.this for cte in query.find_all(exp.CTE)}

    def names(side: exp.Expression) -> list[str]:
        if isinstance(side, exp.Select) and [type(p) for p in side.expressions] == [exp.Star]:
            source = side.args["from_"].this
            if isinstance(source, exp.Table) and source.name in ctes and not side.args.get("joins"):
                return names(ctes[source.name])
        if isinstance(side, exp.Select) and not any(
            isinstance(p, exp.Star) for p in side.expressions
        ):
            return list(side.named_selects)
        raise UntranslatableStep("UNION BY NAME of a side whose columns are not named")

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not (isinstance(node, exp.Union) and node.args.get("by_name")):
            return node
        left, right = node.this, node.expression
        left_names, right_names = names(left), names(right)
        output = left_names + [n for n in right_names if n not in left_names]

        def by_name(side: exp.Expression, have: list[str]) -> exp.Expression:
            columns = [exp.column(n) if n in have else exp.alias_(exp.Null(), n) for n in output]
            return exp.select(*columns).from_(exp.Subquery(this=side.copy(), alias="_by_name"))

        # in place: the union keeps its WITH, ORDER BY and LIMIT
        node.set("this", by_name(left, left_names))
        node.set("expression", by_name(right, right_names))
        node.set("by_name", None)
        return node

    return query.transform(rewrite)


def named_windows(query: exp.Expression) -> exp.Expression:
    """`over (w rows between ...)`, a named window with a frame of its own: Spark takes a named
    window only whole (`over w`). Every reference to a named window is written out in full."""
    for select in list(query.find_all(exp.Select)):
        definitions = {w.name: w for w in select.args.get("windows") or []}
        if not definitions:
            continue
        for window in list(select.find_all(exp.Window)):
            name = window.args.get("alias")
            if window.parent_select is not select or name is None or name.name not in definitions:
                continue
            named = definitions[name.name]
            for part in ("partition_by", "order", "spec"):
                if not window.args.get(part) and named.args.get(part):
                    value = named.args[part]
                    window.set(
                        part, [v.copy() for v in value] if isinstance(value, list) else value.copy()
                    )
            window.set("alias", None)
        select.set("windows", None)
    return query


DATE_FUNCTIONS = (exp.LastDay, exp.CurrentDate, exp.DateTrunc, exp.TsOrDsToDate)


def is_date(node: exp.Expression) -> bool:
    """Whether `node` is a date by the warehouse's naming: a column `as_of`, `prev_as_of` or
    `*_on` (every date column of the warehouse is named so, and no other column is), a cast to
    date, a date literal or function, or a greatest/least/coalesce/date +- days of those."""
    if isinstance(node, exp.Paren):
        return is_date(node.this)
    if isinstance(node, exp.Column):
        return node.name in {"as_of", "prev_as_of"} or node.name.endswith("_on")
    if isinstance(node, exp.Cast):
        return node.to.is_type(exp.DataType.Type.DATE)
    if isinstance(node, DATE_FUNCTIONS):
        return True
    if isinstance(node, exp.Greatest | exp.Least | exp.Coalesce):
        return is_date(node.this)
    if isinstance(node, exp.Add):
        return is_date(node.this) != is_date(node.expression)
    if isinstance(node, exp.Sub):
        return is_date(node.this) and not is_date(node.expression)
    return False


def date_difference(query: exp.Expression) -> exp.Expression:
    """`a - b` of two dates is a number of days in DuckDB, an INTERVAL DAY in Spark: as
    `datediff(a, b)` (days, an integer)."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Sub) and is_date(node.this) and is_date(node.expression):
            return exp.Anonymous(this="datediff", expressions=[node.this, node.expression])
        return node

    return query.transform(rewrite)


def generator_cast(query: exp.Expression) -> exp.Expression:
    """`unnest(list)::T`: Spark allows no generator inside an expression; as
    `explode(cast(list as array<T>))`."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Cast) and isinstance(node.this, exp.Explode):
            array_type = exp.DataType(
                this=exp.DataType.Type.ARRAY, expressions=[node.to.copy()], nested=True
            )
            return exp.Explode(this=exp.cast(node.this.this, array_type))
        return node

    return query.transform(rewrite)


def product_aggregate(query: exp.Expression) -> exp.Expression:
    """DuckDB's `product(x)` aggregate and window function (double, nulls left out, null for no
    values): Spark SQL has no such function; the values folded by multiplication,
    `aggregate(collect_list(x), 1, (a, b) -> a * b)`, over the same window when there is one."""

    def is_product(node: exp.Expression) -> bool:
        return isinstance(node, exp.Anonymous) and node.name.lower() == "product"

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Window) and is_product(node.this):
            value = node.this.expressions[0]
            count, values = node.copy(), node.copy()
            count.set("this", exp.Count(this=value.copy()))
            values.set("this", template("collect_list(cast(__x as double))", x=value))
            return template(
                "case when __count > 0 then "
                "aggregate(__values, cast(1 as double), (a, b) -> a * b) end",
                count=count,
                values=values,
            )
        if is_product(node) and not isinstance(node.parent, exp.Window):
            return template(
                "case when count(__x) > 0 then "
                "aggregate(collect_list(cast(__x as double)), cast(1 as double), (a, b) -> a * b) end",
                x=node.expressions[0],
            )
        return node

    return query.transform(rewrite)


def double_rounding(query: exp.Expression) -> exp.Expression:
    """`round(x, n)` as DuckDB rounds a double: half away from zero on x's exact binary value
    (0.285 is 0.28499999999999998 and rounds to 0.28; 0.125 is exact and rounds to 0.13). Spark
    rounds the double's shortest decimal text instead (17626.855 gives 17626.86 there, 17626.85
    in DuckDB). Here p = x * 10^n is rounded as Spark does, except when p is exactly a half:
    then the exact residual x * 10^n - p (Dekker's product of x split in two 26-bit halves,
    exact in double arithmetic) says on which side of the half the exact value lies. On a
    decimal x every step is exact decimal arithmetic and the residual is 0."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Round):
            return node
        digits = node.args.get("decimals")
        if digits is None:
            return node
        if not (isinstance(digits, exp.Literal) and digits.is_int and 0 <= int(digits.this) <= 7):
            raise UntranslatableStep(f"round to {digits.sql()} digits")
        high = template(
            "__c - (__c - __x)", c=template("134217729 * __x", x=node.this), x=node.this
        )
        return template(
            "case when abs(__p) - floor(abs(__p)) = 0.5 "
            "and __p * ((__high * __m - __p) + (__x - __high) * __m) < 0 "
            "then round(__p) - signum(__p) else round(__p) end / __m",
            p=exp.Paren(
                this=exp.Mul(
                    this=node.this.copy(), expression=exp.Literal.number(10 ** int(digits.this))
                )
            ),
            m=exp.Literal.number(10 ** int(digits.this)),
            x=node.this,
            high=exp.Paren(this=high),
        )

    return query.transform(rewrite)


Transform = Callable[[exp.Expression], exp.Expression]
TRANSFORMS: tuple[tuple[str, Transform], ...] = (
    ("named_windows", named_windows),
    ("date_difference", date_difference),
    ("decimal_division", decimal_division),
    ("double_rounding", double_rounding),
    ("asof_join", asof_join),
    ("zipped_unnest", zipped_unnest),
    ("list_comprehension", list_comprehension),
    ("list_length", list_length),
    ("list_functions", list_functions),
    ("month_difference", month_difference),
    ("simplified_unpivot", simplified_unpivot),
    ("union_by_name", union_by_name),
    ("generator_cast", generator_cast),
    ("product_aggregate", product_aggregate),
)


def spark_step(text: str, params: dict[str, Any]) -> SparkStep:
    """The Spark SQL of one build file's `create or replace table|view X as <query>`."""
    tree = sqlglot.parse_one(text, read="duckdb")
    if not isinstance(tree, exp.Create) or not isinstance(tree.expression, exp.Query):
        raise UntranslatableStep("a build step must be one `create or replace table|view ... as`")
    kind = str(tree.args.get("kind", "table")).lower()
    query = bind_parameters(tree.expression, params)
    for _name, transform in TRANSFORMS:
        query = transform(query)
    return SparkStep(name=tree.this.name, kind=kind, query=query.sql(dialect="spark"))
