"""The dashboard's server: `streamlit run app.py` serves main.py (the dashboard's script: page
config, first-start demo build, global filters, navigation), warmed up as the server starts.

Streamlit finds the `st.App` below and serves it; its start hook (the lifespan) starts a background
thread that imports what the first page needs and fills the caches of its queries
(dashboard/warm.py) while the browser is still loading, so the first visitor does not wait for them.
The thread starts once the server accepts connections: started earlier, it competes with the
server's own start for the interpreter and delays its first answer. `streamlit run main.py` gives
the same dashboard without that head start.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import streamlit as st

LISTEN_LIMIT = 10.0  # seconds to wait for the server's socket before warming up anyway


async def _warm_when_listening(port: int) -> None:
    from dashboard import warm

    loop = asyncio.get_running_loop()
    deadline = loop.time() + LISTEN_LIMIT
    while loop.time() < deadline:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        break
    warm.at_start()


@asynccontextmanager
async def lifespan(_app):
    from streamlit import config

    # uvicorn opens its socket once this start-up part is over
    task = asyncio.create_task(_warm_when_listening(int(config.get_option("server.port"))))
    yield
    task.cancel()


app = st.App("main.py", lifespan=lifespan)
