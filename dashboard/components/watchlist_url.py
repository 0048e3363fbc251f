"""The Watchlist page's own filters in the URL, so a view such as "grade E in the East" is a link.

The global filters (as-of date, segment, region, industry) have their own parameters (see
dashboard/filters.py); these carry the page's grade, trigger, owner, exposure range, search and sort.
Pure functions between the URL's parameters and the widgets' session-state values: a value the page
does not offer (a typo, a grade that does not exist, an owner who left) is dropped, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# session-state key of the widget -> URL parameter
PARAMETERS = {
    "wl_grades": "wl_grade",
    "wl_triggers": "wl_trigger",
    "wl_owners": "wl_owner",
    "wl_min": "wl_min",
    "wl_max": "wl_max",
    "wl_search": "wl_q",
    "wl_sort": "wl_sort",
}
LISTS = ("wl_grades", "wl_triggers", "wl_owners")
AMOUNTS = ("wl_min", "wl_max")


def _values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """Every value of a parameter: repeated (`?wl_owner=a&wl_owner=b`) or comma-separated codes."""
    raw = params.get(name) or []
    if isinstance(raw, str):
        raw = [raw]
    return [part for value in raw for part in value.split(",") if part]


def _amount(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value > 0 and value == value and value != float("inf") else None


def from_query(
    params: Mapping[str, Sequence[str]],
    grades: Sequence[str],
    triggers: Sequence[str],
    owners: Sequence[str],
    sorts: Sequence[str],
) -> dict[str, object]:
    """Widget values (session-state key -> value) for the parameters present in `params` (name ->
    its values, as `st.query_params.get_all` gives them), keeping only what the widgets offer."""
    offered = {"wl_grades": grades, "wl_triggers": triggers, "wl_owners": owners}
    state: dict[str, object] = {}
    for key, allowed in offered.items():
        name = PARAMETERS[key]
        if name in params:
            # owners are names: a comma inside one is kept by matching the whole value first
            whole = [v for v in (params.get(name) or []) if v in allowed]
            parts = [v for v in _values(params, name) if v in allowed]
            chosen = list(dict.fromkeys(whole + parts))
            if chosen:
                state[key] = chosen
    for key in AMOUNTS:
        values = _values(params, PARAMETERS[key])
        amount = _amount(values[0]) if values else None
        if amount is not None:
            state[key] = amount
    search = params.get(PARAMETERS["wl_search"]) or []
    if isinstance(search, str):
        search = [search]
    if search and search[0].strip():
        state["wl_search"] = search[0]
    sort = _values(params, PARAMETERS["wl_sort"])
    if sort and sort[0] in sorts:
        state["wl_sort"] = sort[0]
    return state


def to_query(state: Mapping[str, object], default_sort: str) -> dict[str, list[str]]:
    """URL parameters (name -> values) for the widgets' values; defaults leave no parameter."""
    wanted: dict[str, list[str]] = {}
    for key in ("wl_grades", "wl_triggers"):
        if state.get(key):
            wanted[PARAMETERS[key]] = [",".join(state[key])]
    if state.get("wl_owners"):
        wanted[PARAMETERS["wl_owners"]] = list(state["wl_owners"])
    for key in AMOUNTS:
        value = state.get(key)
        if value:
            wanted[PARAMETERS[key]] = [f"{float(value):.0f}"]
    search = str(state.get("wl_search") or "")
    if search.strip():
        wanted[PARAMETERS["wl_search"]] = [search]
    sort = state.get("wl_sort")
    if sort and sort != default_sort:
        wanted[PARAMETERS["wl_sort"]] = [str(sort)]
    return wanted
