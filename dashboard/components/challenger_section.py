"""The Model page's champion / challenger section: pick a challenger policy, score it (with
progress), compare it with the policy in force, say the verdict, download the model report, and
let an administrator promote it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import auth
from dashboard.components import challenger_charts as charts
from dashboard.components import chart
from dashboard.components.challenger_text import factor_label, signed_count, verdict_lines
from dashboard.components.formats import money, month, number, signed_money
from dashboard.components.plain_text import markdown_text
from dashboard.components.uploads import uploader_in_language
from dashboard.i18n import language, t
from data import challenger, warehouse
from data.policy import Policy, PolicyError
from queries import model_compare

KEY = "cc_"


@st.cache_data(show_spinner=False, max_entries=4, ttl=3600)
def _comparison(db: str, version: str, policy_toml: str) -> model_compare.Comparison:
    """The comparison of the warehouse's policy in force with the challenger `policy_toml`, per
    warehouse version (scoring itself is cached in data.challenger)."""
    del version  # part of the key only
    policy = challenger.read_challenger(policy_toml)
    champion, scored = challenger.champion(db), challenger.challenger(policy, db)
    weights = {"champion": dict(champion.policy.weights), "challenger": dict(policy.weights)}
    return model_compare.compare(champion.scores, scored.scores, weights)


def _pick() -> tuple[bytes | None, str]:
    """The chosen challenger file's bytes (None: nothing chosen yet) and its name."""
    source = st.radio(
        t("challenger.source"),
        ("upload", "saved"),
        format_func=lambda s: t(f"challenger.source_{s}"),
        horizontal=True,
        key=f"{KEY}source",
    )
    if source == "upload":
        uploader_in_language(["toml"])
        file = st.file_uploader(
            t("challenger.upload"),
            type=["toml"],
            key=f"{KEY}upload",
            help=t("challenger.upload_help"),
        )
        return (file.getvalue(), file.name) if file is not None else (None, "")
    folder = challenger.policy_dir()
    files = challenger.saved_policies(folder)
    if not files:
        st.info(t("challenger.no_saved", folder=markdown_text(str(folder))))
        return None, ""
    chosen = st.selectbox(
        t("challenger.saved"),
        files,
        format_func=lambda p: p.name,
        key=f"{KEY}saved",
        help=t("challenger.saved_help", folder=str(folder)),
    )
    return Path(chosen).read_bytes(), Path(chosen).name


def _score(policy: Policy) -> None:
    """Score the challenger with a progress bar (a cache hit returns at once)."""
    with st.status(
        t("challenger.scoring", name=markdown_text(policy.name)), expanded=True
    ) as status:
        bar = st.progress(0.0)

        def progress(_label: str, done: int, total: int) -> None:
            bar.progress(min(1.0, done / total) if total else 1.0,
                         text=t("challenger.scoring_step", done=done, total=total))  # fmt: skip

        challenger.challenger(policy, progress=progress)
        status.update(
            label=t("challenger.scored", name=markdown_text(policy.name)),
            state="complete",
            expanded=False,
        )


def _metric(column, key: str, metrics, difference, metric: str, sample: str) -> None:
    rows = {
        r["model"]: r for r in metrics.filter(metrics["sample"] == sample).iter_rows(named=True)
    }
    mine, theirs = rows["challenger"], rows["champion"]
    if mine[metric] is None or theirs[metric] is None:
        column.metric(t(key), number(None))
        return
    diff = difference.filter(difference["sample"] == sample).row(0, named=True)
    if metric == "ks":
        help_text = t("challenger.ks_delta_help", value=number(mine["ks"], 3),
                      low=number(mine["ks_low"], 3), high=number(mine["ks_high"], 3),
                      champion=number(theirs["ks"], 3), clow=number(theirs["ks_low"], 3),
                      chigh=number(theirs["ks_high"], 3))  # fmt: skip
    else:
        scale = 2 if metric == "gini" else 1  # Gini = 2 AUC - 1: its difference doubles
        help_text = t("challenger.metric_delta_help", value=number(mine[metric], 3),
                      low=number(mine[f"{metric}_low"], 3), high=number(mine[f"{metric}_high"], 3),
                      champion=number(theirs[metric], 3),
                      difference=f"{scale * diff['difference']:+.3f}",
                      dlow=f"{scale * diff['low']:+.3f}", dhigh=f"{scale * diff['high']:+.3f}",
                      p=number(diff["p_value"], 3))  # fmt: skip
    column.metric(
        t(key),
        number(mine[metric], 3),
        delta=f"{mine[metric] - theirs[metric]:+.3f}",
        help=help_text,
    )


def _promote(policy: Policy, origin: str) -> None:
    user = auth.current_user() if auth.enabled() else None
    if user is None or user.known_role != "admin":
        st.caption(t("challenger.promote_admin_only"))
        return
    from data import policy as policy_file

    target = str(policy_file.DEFAULT_POLICY)
    sure = st.checkbox(t("challenger.promote_confirm"), key=f"{KEY}confirm")
    if st.button(
        t("challenger.promote"),
        type="primary",
        disabled=not sure,
        key=f"{KEY}promote",
        help=t("challenger.promote_help", path=target),
        icon=":material/publish:",
    ):
        done = challenger.promote(policy, who=user.name, role=user.known_role, source=origin)
        st.success(
            t(
                "challenger.promoted",
                path=markdown_text(str(done.path)),
                name=markdown_text(policy.name),
                archived=markdown_text(done.archived.name if done.archived else "—"),
            )
        )


def show() -> None:
    """Draw the section at the end of the Model page."""
    st.subheader(t("challenger.title"))
    st.caption(t("challenger.caption"))
    if auth.enabled() and auth.query_scope() is not None:
        st.info(t("challenger.whole_portfolio_only"))
        return
    text, origin = _pick()
    if text is None:
        st.info(t("challenger.pick"))
        return
    try:
        policy = challenger.read_challenger(text)
    except PolicyError as err:
        detail = str(err).removeprefix(f"{err.key}: ")
        # The key goes in a code span, where Markdown escapes would show: only a backtick or a
        # line break could end it.
        key = " ".join(err.key.replace("`", "'").split())
        st.error(t("challenger.refused", key=key, detail=markdown_text(detail)))
        return
    db = str(warehouse.db_path())
    champion = challenger.champion(db)
    if challenger.policy_hash(policy) == challenger.policy_hash(champion.policy):
        st.info(t("challenger.same_policy"))
        return
    _score(policy)
    result = _comparison(db, str(warehouse.file_version(db)), policy.to_toml())
    _draw(result, champion.policy, policy)
    _report_button(result, champion.policy, policy)
    _promote(policy, origin)


def _draw(result: model_compare.Comparison, champion: Policy, policy: Policy) -> None:
    labels = {"champion": t("challenger.champion"), "challenger": t("challenger.challenger")}
    st.caption(
        t(
            "challenger.vs",
            champion=markdown_text(champion.name),
            challenger=markdown_text(policy.name),
        )
    )
    metrics, difference = result.discrimination, result.difference
    if not result.observations.height or metrics["auc"].is_null().all():
        st.info(t("challenger.no_history"))
        return
    verdict = result.verdict
    box = {"promote": st.success, "hold": st.warning, "reject": st.error}[verdict.recommendation]
    box("\n\n".join([f"**{t('challenger.verdict_title')}**", *verdict_lines(verdict)]))

    def first_last(sample: str) -> dict[str, str]:
        row = metrics.filter(metrics["sample"] == sample).row(0, named=True)
        return {"first": month(row["first_month"]), "last": month(row["last_month"]),
                "n": number(row["observations"]), "bads": number(row["bads"])}  # fmt: skip

    inside, outside = first_last("in_time"), first_last("out_of_time")
    st.caption(
        t("challenger.oot_caption", in_first=inside["first"], in_last=inside["last"],
          in_n=inside["n"], in_bads=inside["bads"], oot_first=outside["first"],
          oot_last=outside["last"], oot_n=outside["n"], oot_bads=outside["bads"])
    )  # fmt: skip
    cards = st.columns(4)
    for column, key, metric, sample in (
        (cards[0], "challenger.auc_in", "auc", "in_time"),
        (cards[1], "challenger.auc_oot", "auc", "out_of_time"),
        (cards[2], "challenger.ks_in", "ks", "in_time"),
        (cards[3], "challenger.ks_oot", "ks", "out_of_time"),
    ):
        _metric(column, key, metrics, difference, metric, sample)
    # Rows of two: the ROC curves; intervals and migration; calibration and stability.
    rows = [st.columns(2) for _ in range(3)]
    for column, sample, title in (
        (rows[0][0], "in_time", "challenger.roc_in_title"),
        (rows[0][1], "out_of_time", "challenger.roc_oot_title"),
    ):
        chart.show(
            charts.roc_pair(
                model_compare.roc_curves(result.observations, sample),
                t(title),
                labels,
                t("challenger.roc_random"),
                t("challenger.roc_fpr"),
                t("challenger.roc_tpr"),
            ),
            name=f"challenger_roc_{sample}",
            where=column,
        )
    categories = {
        ("auc", "in_time"): t("challenger.auc_in"),
        ("auc", "out_of_time"): t("challenger.auc_oot"),
        ("ks", "in_time"): t("challenger.ks_in"),
        ("ks", "out_of_time"): t("challenger.ks_oot"),
    }
    chart.show(
        charts.metric_intervals(metrics, t("challenger.intervals_title"), labels, categories),
        name="challenger_metric_intervals",
        where=rows[1][0],
    )
    chart.show(
        charts.migration_heatmap(
            result.migration,
            t("challenger.migration_title"),
            t("challenger.migration_from"),
            t("challenger.migration_to"),
            t("challenger.migration_hover"),
        ),
        name="challenger_migration_heatmap",
        where=rows[1][1],
    )
    chart.show(
        charts.calibration_pair(
            result.calibration,
            t("challenger.calibration_title"),
            labels,
            t("challenger.pd"),
            t("challenger.interval"),
        ),
        name="challenger_calibration_pair",
        where=rows[2][0],
    )
    names = {c: factor_label(c) for c in result.stability["characteristic"].unique()}
    chart.show(
        charts.stability_bars(
            result.stability,
            t("challenger.stability_title"),
            labels,
            names,
            t("challenger.psi_watch"),
            t("challenger.psi_action"),
        ),
        name="challenger_stability_bars",
        where=rows[2][1],
    )
    impact = {r["model"]: r for r in result.impact.iter_rows(named=True)}
    ours, theirs = impact["challenger"], impact["champion"]
    cards = st.columns(3)
    cards[0].metric(
        t("challenger.el"),
        money(ours["expected_loss"]),
        delta=signed_money(ours["expected_loss"] - theirs["expected_loss"]),
        delta_color="inverse",
        help=t("challenger.impact_help", champion=money(theirs["expected_loss"]),
               challenger=money(ours["expected_loss"])),
    )  # fmt: skip
    for column, key, field in (
        (cards[1], "challenger.watchlist", "watchlist"),
        (cards[2], "challenger.grade_e", "grade_e"),
    ):
        column.metric(
            t(key),
            number(ours[field]),
            delta=signed_count(ours[field] - theirs[field]),
            delta_color="inverse",
            help=t("challenger.impact_help", champion=number(theirs[field]),
                   challenger=number(ours[field])),
        )  # fmt: skip


def _report_button(result: model_compare.Comparison, champion: Policy, policy: Policy) -> None:
    from dashboard.components.model_report import report_html

    lang = language()
    st.download_button(
        t("challenger.report"),
        data=lambda: report_html(result, champion, policy, lang=lang).encode("utf-8"),
        file_name=f"model_report_{lang}.html",
        mime="text/html",
        icon=":material/description:",
        help=t("challenger.report_help"),
        key=f"{KEY}report",
    )
