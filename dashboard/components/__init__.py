"""Pure builders (frame -> figure / formatted table) and small Streamlit widgets shared by pages."""
