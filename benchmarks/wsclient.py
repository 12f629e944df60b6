"""Load-test client: one Streamlit session over the app's websocket, as the browser's frontend speaks it.

A view is requested the way the frontend requests it after a page load or a back/forward step:
a `rerun_script` BackMsg with the page's url path and the query string, flagged as history
navigation so that the URL sets every bound filter widget. The reply is the stream of
ForwardMsgs up to `script_finished`; an exception element or an error alert in it is an error.
What the client does not do: run JavaScript, draw charts, fetch static files or media.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

STREAM_PATH = "/_stcore/stream"
SUBPROTOCOL = Subprotocol("streamlit")
MAX_MESSAGE = 64 * 1024 * 1024  # one delta can carry a chart's data; Streamlit allows 200 MB
# A rerun that ends early hands over to the next run of the same request (st.rerun).
_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
_COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")


@dataclass
class ViewResult:
    """One requested view: what it was, how long until the script finished, what went wrong."""

    page: str
    query: str
    started: float  # time.monotonic() when sent
    seconds: float
    messages: int = 0
    errors: list[str] = field(default_factory=list)


class Session:
    """A browser-like session: the index page (cookies, e.g. a sticky route), then one websocket."""

    def __init__(self, base_url: str, timeout_s: float):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = httpx.AsyncClient(base_url=self.base_url, trust_env=False, timeout=timeout_s)
        self._connection = None

    async def open(self) -> None:
        """Load the index page like a browser (keeps its cookies), then open the session's websocket."""
        response = await self.http.get("/")
        response.raise_for_status()
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        ws_url = "ws" + self.base_url[len("http"):] + STREAM_PATH
        headers = {"Cookie": cookies} if cookies else {}
        self._connection = await connect(ws_url, subprotocols=[SUBPROTOCOL], additional_headers=headers,
                                         max_size=MAX_MESSAGE, proxy=None, open_timeout=self.timeout_s,
                                         compression=None)

    async def view(self, page: str, query: str) -> ViewResult:
        """Ask for `page` (url path, "" for the default) with `query`; wait for the script to finish."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        msg.rerun_script.is_history_navigation = True
        started = time.monotonic()
        result = ViewResult(page, query, started, 0.0)
        try:
            await self._connection.send(msg.SerializeToString())
            await asyncio.wait_for(self._until_finished(result), self.timeout_s)
        except TimeoutError:
            result.errors.append(f"no script_finished within {self.timeout_s:.0f} s")
        except Exception as exc:  # a dropped connection is an error of the view, not of the test
            result.errors.append(f"{type(exc).__name__}: {exc}")
        result.seconds = time.monotonic() - started
        return result

    async def _until_finished(self, result: ViewResult) -> None:
        while True:
            data = await self._connection.recv()
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            result.messages += 1
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                _check_element(fwd, result)
            elif kind == "page_not_found":
                result.errors.append(f"page not found: {fwd.page_not_found.page_name}")
            elif kind == "script_finished":
                if fwd.script_finished == _COMPILE_ERROR:
                    result.errors.append("script compile error")
                if fwd.script_finished != _EARLY:
                    return

    async def close(self) -> None:
        """Close the websocket and the HTTP client."""
        if self._connection is not None:
            await self._connection.close()
        await self.http.aclose()


def _check_element(fwd: ForwardMsg, result: ViewResult) -> None:
    delta = fwd.delta
    if delta.WhichOneof("type") != "new_element":
        return
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        result.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
    elif kind == "alert" and element.alert.format == Alert.ERROR:
        result.errors.append(f"error alert: {element.alert.body[:200]}")
