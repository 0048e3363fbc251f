"""Audit log (admins): who signed in, exported, loaded or opened a customer, newest first."""

from __future__ import annotations

import streamlit as st

from dashboard import auth
from dashboard.i18n import t
from data import audit
from data.export import neutralise, to_csv

LIMIT = 5000

# The page is registered for admins only; this check keeps it so if it is ever run another way.
if auth.enabled() and not auth.allowed(auth.current_user(), "audit"):
    auth.refuse_page("audit")

st.title(t("audit.title"))
st.caption(t("audit.intro"))

left, right = st.columns([2, 1])
actions = left.multiselect(
    t("audit.actions"),
    audit.ACTIONS,
    format_func=lambda action: t(f"audit.action_{action}"),
    key="audit_actions",
    placeholder=t("filters.all"),
)
who = right.text_input(t("audit.who"), key="audit_who")

# The whole log's hash chain, verified on every run: a changed, forged or removed row shows here.
chain = audit.verify()
if chain.states:
    if chain.verified:
        st.success(
            t(
                "audit.chain_ok",
                chained=f"{chain.count('ok'):,}",
                before=f"{chain.count('before_chain'):,}",
            ),
            icon=":material/verified:",
        )
    else:
        st.error(
            t(
                "audit.chain_broken",
                count=f"{len(chain.failures):,}",
                ids=", ".join(str(i) for i in chain.failures[:10]),
            ),
            icon=":material/gpp_bad:",
        )

events = audit.recent(limit=LIMIT, actions=tuple(actions), who=who.strip(), chain=chain)
if events.is_empty():
    st.info(t("audit.empty"))
    st.stop()

st.caption(t("audit.shown", count=f"{events.height:,}", limit=f"{LIMIT:,}"))
malformed = events.filter(events["problem"] != "").height
if malformed:
    st.warning(t("audit.malformed", count=f"{malformed:,}"))
# User names and details are shown as plain table cells, never as markdown or HTML.
st.dataframe(
    neutralise(
        events.drop("audit_id").with_columns(
            events["chain"].replace_strict(
                {state: t(f"audit.state_{state}") for state in audit.CHAIN_STATES},
                default=events["chain"],
            )
        )
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "at": st.column_config.DatetimeColumn(t("audit.col_at"), format="YYYY-MM-DD HH:mm:ss"),
        "who": t("audit.col_who"),
        "role": t("audit.col_role"),
        "action": t("audit.col_action"),
        "detail": t("audit.col_detail"),
        "rows": st.column_config.NumberColumn(t("audit.col_rows"), format="%d"),
        "problem": t("audit.col_problem"),
        "chain": t("audit.col_chain"),
    },
)
st.download_button(
    t("audit.export_csv"),
    data=auth.audited(
        "audit",
        "csv",
        lambda: audit.recent(limit=LIMIT, actions=tuple(actions), who=who.strip()),
        to_csv,
    ),
    file_name="audit_log.csv",
    mime="text/csv",
    icon=":material/download:",
)
