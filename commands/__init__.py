"""The command line (`python -m data …`): loads, builds, users, the worklog export, model fits,
challengers and alert delivery. Commands may use every layer below them: the query layer, the
warehouse (data/) and the dashboard's texts (no Streamlit)."""
