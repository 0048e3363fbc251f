"""Shared fixtures: warehouses built once per session, Streamlit caches cleared between tests."""

from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # Cached query results and the shared connection must not leak from one test into the next.
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
