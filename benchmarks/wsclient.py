"""Load-test client: one Streamlit session over the app's websocket, as the browser's frontend speaks it.

A view is requested the way the frontend requests it after a page load or a back/forward step:
a `rerun_script` BackMsg with the page's url path and the query string, flagged as history
navigation so that the URL sets every bound filter widget. The reply is the stream of
ForwardMsgs up to `script_finished`; an exception element or an error alert in it is an error.
A button is clicked as the frontend clicks it: a rerun carrying the button's trigger. The
frontend also sends the value of every other widget; this client holds none, so the click is a
rerun of the view's query string flagged as history navigation too, and the URL sets the filter
widgets again (the others keep their defaults). A download is fetched as the browser fetches a
deferred one: a backend operation asks the session's process to make the file, then the URL it
answers is read over HTTP with the session's cookies. A dropped connection is reopened as the
frontend reopens it (`reconnect`), keeping any cookie the proxy set, also on the websocket's
handshake.
What the client does not do: run JavaScript, draw charts or fetch static files.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

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
    downloads: list[str] = field(default_factory=list)  # deferred file ids of the view's download buttons
    buttons: dict[str, str] = field(default_factory=dict)  # widget key -> widget id of each keyed st.button
    offered: dict[str, str] = field(default_factory=dict)  # widget key -> deferred file id of each keyed download
    warnings: list[str] = field(default_factory=list)  # the texts of warning alerts (a page's "try again later")


class Session:
    """A browser-like session: the index page (cookies, e.g. a sticky route), then one websocket."""

    def __init__(self, base_url: str, timeout_s: float):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = httpx.AsyncClient(base_url=self.base_url, trust_env=False, timeout=timeout_s)
        self._connection = None
        self.session_id = ""  # the server's id of this session (from its new_session message)

    async def open(self) -> None:
        """Load the index page like a browser (keeps its cookies), then open the session's websocket."""
        response = await self.http.get("/")
        response.raise_for_status()
        await self._connect()

    async def reconnect(self) -> None:
        """Open the websocket again after it dropped, with the cookies kept (as the frontend does)."""
        if self._connection is not None:
            try:
                await self._connection.close()
            except Exception:  # noqa: BLE001 - it is gone already
                pass
        self._connection = None
        await self._connect()

    @property
    def connected(self) -> bool:
        """Whether the websocket is open."""
        from websockets.protocol import State

        return self._connection is not None and self._connection.state is State.OPEN

    async def _connect(self) -> None:
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        ws_url = "ws" + self.base_url[len("http"):] + STREAM_PATH
        headers = {"Cookie": cookies} if cookies else {}
        self._connection = await connect(ws_url, subprotocols=[SUBPROTOCOL], additional_headers=headers,
                                         max_size=MAX_MESSAGE, proxy=None, open_timeout=self.timeout_s,
                                         compression=None)
        # A browser keeps a cookie set on the handshake's answer (a proxy's route, say).
        for header in self._connection.response.headers.get_all("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                for old in [c for c in self.http.cookies.jar if c.name == name]:
                    self.http.cookies.jar.clear(old.domain, old.path, old.name)
                self.http.cookies.set(name, morsel.value, domain=urlsplit(self.base_url).hostname or "", path="/")

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies the session sends."""
        return {cookie.name: cookie.value for cookie in self.http.cookies.jar}

    async def download(self, file_id: str) -> tuple[int, bytes]:
        """Fetch a deferred download as the browser does: (HTTP status, body); status 0 when the
        session's process would not make the file (its message is the body)."""
        msg = BackMsg()
        request_id = str(uuid.uuid4())
        msg.backend_operation_request.request_id = request_id
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = file_id
        await self._connection.send(msg.SerializeToString())

        async def answer() -> ForwardMsg:
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await self._connection.recv())
                if fwd.WhichOneof("type") == "backend_operation_response" \
                        and fwd.backend_operation_response.request_id == request_id:
                    return fwd

        reply = (await asyncio.wait_for(answer(), self.timeout_s)).backend_operation_response
        if reply.error_msg or not reply.deferred_file.url:
            return 0, (reply.error_msg or "no url").encode()
        response = await self.http.get(reply.deferred_file.url)
        return response.status_code, response.content

    async def view(self, page: str, query: str) -> ViewResult:
        """Ask for `page` (url path, "" for the default) with `query`; wait for the script to finish."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        msg.rerun_script.is_history_navigation = True
        return await self._rerun(msg, page, query)

    async def click(self, page: str, query: str, button_id: str) -> ViewResult:
        """Click the button `button_id` (a widget id: ViewResult.buttons) of the view `page` with
        `query`; wait for the run it starts to finish."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        msg.rerun_script.is_history_navigation = True
        msg.rerun_script.widget_states.widgets.add(id=button_id, trigger_value=True)
        return await self._rerun(msg, page, query)

    async def _rerun(self, msg: BackMsg, page: str, query: str) -> ViewResult:
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
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            elif kind == "delta":
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


def widget_key(widget_id: str) -> str | None:
    """The key a page gave a widget, read from its id (`$$ID-<hash>-<key>`); None without one."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[2] != "None" else None


def _check_element(fwd: ForwardMsg, result: ViewResult) -> None:
    delta = fwd.delta
    if delta.WhichOneof("type") != "new_element":
        return
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind == "download_button" and element.download_button.deferred_file_id:
        result.downloads.append(element.download_button.deferred_file_id)
        key = widget_key(element.download_button.id)
        if key:
            result.offered[key] = element.download_button.deferred_file_id
    elif kind == "button" and widget_key(element.button.id):
        result.buttons[widget_key(element.button.id)] = element.button.id
    elif kind == "alert" and element.alert.format == Alert.WARNING:
        result.warnings.append(element.alert.body[:200])
    elif kind == "exception":
        result.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
    elif kind == "alert" and element.alert.format == Alert.ERROR:
        result.errors.append(f"error alert: {element.alert.body[:200]}")
