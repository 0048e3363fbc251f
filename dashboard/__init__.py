"""Streamlit pages and the components they draw with (charts, KPI cards, tables, filters)."""
