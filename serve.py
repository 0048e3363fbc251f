"""The dashboard's server: `streamlit run serve.py` serves app.py, warmed up as the server starts.

`streamlit run app.py` works too; this entry adds a start hook (`st.App`'s lifespan) that, in a
background thread, imports what the first page needs and fills the caches of its queries
(dashboard/warm.py) while the server and the browser are still starting, so the first visitor does
not wait for them.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def lifespan(_app):
    from dashboard import warm

    warm.at_start()
    yield


app = st.App("app.py", lifespan=lifespan)
