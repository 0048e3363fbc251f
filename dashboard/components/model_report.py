"""The model report: the champion / challenger comparison as one self-contained HTML file (tables,
and Plotly charts with plotly.js inlined once, so it opens offline), in English or Chinese, for a
model risk committee. Downloaded from the Model page and written by
`python -m data model report --challenger FILE --out report.html [--lang zh]`."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import plotly.graph_objects as go

from dashboard import i18n
from dashboard.components import challenger_charts as charts
from dashboard.components.challenger_text import factor_label, verdict_lines
from dashboard.components.formats import money, month, number, percent
from dashboard.components.policy_text import policy_text
from dashboard.i18n import t
from data.policy import Policy
from queries import model_compare

STYLE = """
body { font-family: Inter, 'Source Sans Pro', 'Noto Sans SC', 'Noto Sans CJK SC', sans-serif;
       margin: 2rem auto; max-width: 1100px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: right; }
th { background: #f4f6f8; } td:first-child, th:first-child { text-align: left; }
.verdict { padding: 0.8rem 1rem; border-radius: 6px; background: #eef4fa; }
.verdict.promote { background: #e8f5e9; } .verdict.reject { background: #fdecea; }
.verdict.hold { background: #fff8e1; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts > div { flex: 1 1 480px; } .muted { color: #666; font-size: 0.85rem; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Charts:
    """Figures as HTML fragments; plotly.js goes inline with the first one only."""

    def __init__(self) -> None:
        self.first = True

    def __call__(self, figure: go.Figure) -> str:
        fragment = figure.to_html(full_html=False, include_plotlyjs=self.first, config={"displaylogo": False})  # fmt: skip
        self.first = False
        return f"<div>{fragment}</div>"


def _interval(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return number(None)
    return f"{number(value, 3)} ({number(low, 3)} – {number(high, 3)})"


def _rate(rate: float | None, low: float | None, high: float | None) -> str:
    return f"{percent(rate, 2)} ({percent(low, 2)} – {percent(high, 2)})"


def report_html(
    result: model_compare.Comparison,
    champion: Policy,
    challenger: Policy,
    lang: str = "en",
    warehouse_name: str = "",
) -> str:
    """The whole report as an HTML document in `lang` ('en' or 'zh')."""
    previous = getattr(i18n._current, "lang", None)  # noqa: SLF001 - restored below
    i18n.set_language(lang)
    try:
        return _report(result, champion, challenger, lang, warehouse_name)
    finally:
        if previous is None:
            i18n._current.__dict__.pop("lang", None)  # noqa: SLF001
        else:
            i18n.set_language(previous)


def _report(result, champion: Policy, challenger: Policy, lang: str, warehouse_name: str) -> str:
    r = "challenger_report"
    labels = {"champion": t("challenger.champion"), "challenger": t("challenger.challenger")}
    samples = {s: t(f"{r}.sample_{s}") for s in model_compare.SAMPLES}
    chart = _Charts()
    generated = t(
        f"{r}.generated",
        warehouse=warehouse_name or "—",
        as_of=month(result.as_of),
        at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    parts = [f"<h1>{_e(t(f'{r}.title'))}</h1>", f"<p class='muted'>{_e(generated)}</p>"]
    verdict = result.verdict
    lines = "".join(f"<p>{_e(line)}</p>" for line in verdict_lines(verdict))
    parts.append(
        f"<div class='verdict {verdict.recommendation}'><strong>{_e(t('challenger.verdict_title'))}</strong>{lines}</div>"
    )  # fmt: skip
    # policies
    parts.append(f"<h2>{_e(t(f'{r}.policies'))}</h2>")
    parts.append(
        _table(
            [t(f"{r}.col_role"), t(f"{r}.col_name"), t(f"{r}.col_version"), t(f"{r}.col_weights")],
            [
                [labels[m], policy_text(p.name), p.version,
                 ", ".join(f"{factor_label(f)} {percent(w, 0)}" for f, w in p.weights.items())]
                for m, p in (("champion", champion), ("challenger", challenger))
            ],
        )
    )  # fmt: skip
    # discrimination
    metrics = result.discrimination
    parts.append(f"<h2>{_e(t(f'{r}.discrimination'))}</h2>")
    parts.append(
        _table(
            [t(f"{r}.col_model"), t(f"{r}.col_sample"), t(f"{r}.col_months"),
             t(f"{r}.col_observations"), t(f"{r}.col_bads"), t(f"{r}.col_auc"),
             t(f"{r}.col_gini"), t(f"{r}.col_ks")],
            [
                [labels[m["model"]], samples[m["sample"]],
                 f"{month(m['first_month'])} – {month(m['last_month'])}",
                 number(m["observations"]), number(m["bads"]),
                 _interval(m["auc"], m["auc_low"], m["auc_high"]),
                 _interval(m["gini"], m["gini_low"], m["gini_high"]),
                 _interval(m["ks"], m["ks_low"], m["ks_high"])]
                for m in metrics.iter_rows(named=True)
            ],
        )
    )  # fmt: skip
    for d in result.difference.iter_rows(named=True):
        if d["difference"] is None:
            continue
        sentence = t(
            f"{r}.difference",
            sample=samples[d["sample"]],
            difference=f"{d['difference']:+.3f}",
            low=f"{d['low']:+.3f}",
            high=f"{d['high']:+.3f}",
            p=number(d["p_value"], 3),
        )
        parts.append(f"<p>{_e(sentence)}</p>")
    figures = [
        charts.roc_pair(model_compare.roc_curves(result.observations, s), t(title), labels,
                        t("challenger.roc_random"), t("challenger.roc_fpr"), t("challenger.roc_tpr"))
        for s, title in (("in_time", "challenger.roc_in_title"),
                         ("out_of_time", "challenger.roc_oot_title"))
        if result.observations.height
    ]  # fmt: skip
    categories = {
        ("auc", "in_time"): t("challenger.auc_in"),
        ("auc", "out_of_time"): t("challenger.auc_oot"),
        ("ks", "in_time"): t("challenger.ks_in"),
        ("ks", "out_of_time"): t("challenger.ks_oot"),
    }
    figures.append(
        charts.metric_intervals(metrics, t("challenger.intervals_title"), labels, categories)
    )
    parts.append("<div class='charts'>" + "".join(chart(f) for f in figures) + "</div>")
    # calibration
    parts.append(f"<h2>{_e(t(f'{r}.calibration'))}</h2>")
    parts.append(
        _table(
            [t(f"{r}.col_model"), t(f"{r}.col_grade"), t(f"{r}.col_observations"),
             t(f"{r}.col_bads"), t(f"{r}.col_observed"), t(f"{r}.col_pd"), t(f"{r}.col_within")],
            [
                [labels[c["model"]], c["grade"], number(c["observations"]), number(c["defaults"]),
                 _rate(c["observed_rate"], c["ci_low"], c["ci_high"]),
                 percent(c["pd"], 2),
                 number(None) if c["pd_within_ci"] is None
                 else t(f"{r}.yes") if c["pd_within_ci"] else t(f"{r}.no")]
                for c in result.calibration.iter_rows(named=True)
            ],
        )
    )  # fmt: skip
    parts.append(
        "<div class='charts'>" + chart(charts.calibration_pair(result.calibration, t("challenger.calibration_title"), labels, t("challenger.pd"), t("challenger.interval"))) + "</div>"
    )  # fmt: skip
    # stability
    parts.append(f"<h2>{_e(t(f'{r}.stability'))}</h2>")
    parts.append(
        _table(
            [t(f"{r}.col_model"), t(f"{r}.col_characteristic"), t(f"{r}.col_weight"),
             t(f"{r}.col_psi"), t(f"{r}.col_shift")],
            [
                [labels[s["model"]], factor_label(s["characteristic"]), percent(s["weight"], 0),
                 number(s["psi"], 3), number(s["points_shift"], 2)]
                for s in result.stability.iter_rows(named=True)
            ],
        )
    )  # fmt: skip
    names = {c: factor_label(c) for c in result.stability["characteristic"].unique()}
    parts.append(
        "<div class='charts'>" + chart(charts.stability_bars(result.stability, t("challenger.stability_title"), labels, names, t("challenger.psi_watch"), t("challenger.psi_action"))) + "</div>"
    )  # fmt: skip
    # migration and impact
    parts.append(f"<h2>{_e(t(f'{r}.migration'))}</h2>")
    parts.append(
        "<div class='charts'>" + chart(charts.migration_heatmap(result.migration, t("challenger.migration_title"), t("challenger.migration_from"), t("challenger.migration_to"), t("challenger.migration_hover"))) + "</div>"
    )  # fmt: skip
    impact = {i["model"]: i for i in result.impact.iter_rows(named=True)}
    ours, theirs = impact["challenger"], impact["champion"]
    rows = []
    for key, field, fmt in (
        ("measure_exposure", "exposure", money),
        ("measure_el", "expected_loss", money),
        ("measure_watchlist", "watchlist", number),
        ("measure_e", "grade_e", number),
        ("measure_exposure_e", "exposure_e", money),
    ):
        change = ours[field] - theirs[field]
        sign = "+" if change > 0 else "−" if change < 0 else ""
        rows.append(
            [t(f"{r}.{key}"), fmt(theirs[field]), fmt(ours[field]), sign + fmt(abs(change))]
        )
    parts.append(f"<h2>{_e(t(f'{r}.impact'))} ({_e(month(result.as_of))})</h2>")
    parts.append(
        _table([t(f"{r}.col_measure"), t(f"{r}.col_champion"), t(f"{r}.col_challenger"), t(f"{r}.col_change")], rows)
    )  # fmt: skip
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html>\n<html lang='{_e(lang)}'><head><meta charset='utf-8'>"
        f"<title>{_e(t(f'{r}.title'))}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )
