"""One Streamlit session driven at the protocol level: what the browser sends and fetches, without a browser.

    session = Session("http://127.0.0.1:8501")
    await session.open()                          # the first load
    await session.move_slider(0)                  # the first slider of the main area, or key="recon_samples"
    await session.click("class_3")                # a button, by its key
    await session.switch_page("Mean perturbation")
    await session.upload("digit.png", png_bytes)  # the page's file uploader
    await session.download("interp_png")        # a download button, by its key: the file's bytes
    session.errors_shown()                        # exceptions and error alerts now on the page
    await session.reconnect()                     # after the websocket closed (its server stopped)
    await session.close()

Not a test or a benchmark itself: benchmarks/load_classroom.py (--browsers K) uses it so that a class's other
sessions load the server as browsers would while costing this machine little CPU; benchmarks/load_replicas.py
and tests/test_replicas.py drive sessions through a balancer with it. It follows Streamlit 1.67's frontend
(static/js/index.*.js): the page, its assets, health and host-config (which sets the `_streamlit_xsrf` cookie),
then the websocket with the token as its second subprotocol and every cookie the client holds (a balancer's
affinity cookie too). Every rerun_script carries what the frontend's would: the state of every
widget on the page, the address's query string (widgets bound with bind="query-params" write to it, the server
rewrites it with page_info_changed, a page switch keeps only the bound widgets' parameters), the page's script
hash, the fragment of the widget that changed, the context info and the hashes of the cached messages. The client
keeps the frontend's message cache (cacheable messages, aged in script runs) so it can resolve the server's
`ref_hash` references, the element tree (to know the widgets, and to drop stale ones when a run finishes), and
GETs each picture (`/media/...`) and custom component file once, as the browser's cache would. When the
websocket closes, `reconnect` does what the frontend does: health checks until the server (or, behind a
balancer, another replica) answers, a websocket naming the old session, and a run with every widget's state.

Not replicated: what JavaScript does in the browser (drawing, plotly, the canvas component), chart selections
and other component values (never sent here), and heartbeats (the frontend sends them only when a host asks).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.AppPage_pb2 import AppPage
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Common_pb2 import FileURLs, FileURLsResponse
from streamlit.proto.ForwardMsg_pb2 import BackendOperationResponse, ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

MAIN = 0  # RootContainer: the first step of a delta path (1 is the sidebar)
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR}  # FINISHED_EARLY_FOR_RERUN: another run follows (st.rerun)
HTTP_CONNECTIONS = 6  # a browser opens at most 6 connections to one host
# What Chromium here reports (Intl and matchMedia); the server stores it per session.
CONTEXT = dict(timezone="UTC", timezone_offset=0, locale="en-US", is_embedded=False, color_scheme="light")
AFFINITY_COOKIE = "vae_replica"  # deploy/haproxy.cfg and the Ingress name the replica in this cookie
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # as Chromium: the server gzips some responses (host-config, components)


class ProtocolError(Exception):
    """The server answered something a browser would fail on (an HTTP error, a cache miss, a missing page)."""


@dataclass
class Node:
    """One element or block of the page, as the frontend's tree holds it."""

    kind: str  # the element's type ("slider", "imgs", ...) or "block"
    proto: Any  # the element's message (None for a block)
    run_id: str  # the script run that sent it: a finished run drops the older ones
    fragment_id: str
    script_hash: str  # the script that wrote it: the main script's elements survive a page switch


@dataclass
class Cached:
    data: bytes
    run_count: int
    fragment_id: str


class Http:
    """HTTP/1.1 with keep-alive over asyncio streams, at most HTTP_CONNECTIONS at once, with the server's cookies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(HTTP_CONNECTIONS)

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
                      ) -> tuple[int, bytes]:
        head = {"Host": f"{self.host}:{self.port}", "Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}
        if self.cookies:
            head["Cookie"] = self.cookie_header()
        if body or method in ("PUT", "POST"):
            head["Content-Length"] = str(len(body))
        raw = (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n").encode()
        async with self._slots:
            while True:
                reused = bool(self._idle)
                reader, writer = self._idle.pop() if reused else await asyncio.open_connection(self.host, self.port)
                try:
                    writer.write(raw + body)
                    await writer.drain()
                    status, reply, keep = await self._response(reader, method)
                    break
                except (ConnectionError, asyncio.IncompleteReadError):
                    writer.close()
                    if not reused:
                        raise
                    # the server closed an idle connection (uvicorn keeps one 5 s): a browser retries on a new one
                except BaseException:  # a timeout, say: the connection's state is unknown
                    writer.close()
                    raise
            if keep:
                self._idle.append((reader, writer))
            else:
                writer.close()
        return status, reply

    async def _response(self, reader: asyncio.StreamReader, method: str) -> tuple[int, bytes, bool]:
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed before a response")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, value = line.decode("latin-1").split(":", 1)
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self.set_cookie(value)
            headers[name] = value
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            body = b"".join(parts)
        else:
            return status, await reader.read(), False
        return status, body, headers.get("connection", "").lower() != "close"

    def set_cookie(self, header: str) -> None:
        """Keep a cookie from a Set-Cookie header's value (its attributes are not needed here)."""
        name, _, value = header.split(";", 1)[0].partition("=")
        self.cookies[name.strip()] = value.strip().strip('"')

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def get(self, path: str) -> bytes:
        status, body = await self.request("GET", path)
        if status != 200:
            raise ProtocolError(f"GET {path}: HTTP {status}")
        return body

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def is_asset(path: str) -> bool:
    """A file of the page itself (Streamlit's frontend), which a Session fetches from its assets list on load;
    the rest (media, component files, the API) it fetches as the protocol asks."""
    return path.startswith("/static/") or path == "/favicon.png"


def index_assets(html: str) -> list[str]:
    """The files the page itself names (scripts, module preloads, styles, font, icon); the browser fetches more
    later, as the elements that need them appear (load_classroom.py passes the list a real browser fetched)."""
    return [path for p in re.findall(r'(?:src|href)="\./([^"]+)"', html) if is_asset(path := "/" + p)]


def js_number(x: float) -> str:
    """A number as JavaScript's String() writes it (5, not 5.0): how the frontend puts a value in the URL."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def widget_key(widget_id: str) -> str:
    """The user's key in a widget id ("$$ID-<hash>-recon_samples" -> "recon_samples")."""
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") else widget_id


def initial_state(kind: str, el: Any) -> WidgetState | None:
    """The state the frontend gives a widget when it appears: the server's value if it set one (set_value),
    else the default; None for widgets that have no state until used (buttons, charts, uploaders)."""
    state = WidgetState(id=el.id)
    if kind == "slider":
        state.double_array_value.data[:] = el.value if el.set_value else el.default
    elif kind == "checkbox":  # st.checkbox and st.toggle
        state.bool_value = el.value if el.set_value else el.default
    elif kind in ("selectbox", "radio"):
        if el.set_value and el.HasField("raw_value"):
            state.string_value = el.raw_value
        elif not el.set_value and el.HasField("default") and 0 <= el.default < len(el.options):
            state.string_value = el.options[el.default]
        else:
            return None
    elif kind in ("multiselect", "button_group"):  # st.multiselect, st.pills, st.segmented_control: option labels
        labels = [o.content if kind == "button_group" else o for o in el.options]
        state.string_array_value.data[:] = el.raw_values if el.set_value else [labels[i] for i in el.default]
    elif kind == "number_input":
        field = "value" if el.set_value else "default"
        if not el.HasField(field):
            return None
        if el.data_type == NumberInput.INT:
            state.int_value = int(getattr(el, field))
        else:
            state.double_value = getattr(el, field)
    else:
        return None
    return state


class Session:
    """One visitor's tab: a websocket session plus the HTTP fetches its page makes."""

    def __init__(self, url: str, assets: Sequence[str] | None = None, timeout_s: float = 60.0) -> None:
        parts = urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.http = Http(parts.hostname or "127.0.0.1", parts.port or 80)
        self.assets = assets  # None: what index.html names
        self.timeout_s = timeout_s
        self.path, self.query = "/", ""  # the address bar
        self.session_id = self.main_hash = self.page_hash = self.run_id = ""
        self.pages: list[AppPage] = []
        self.tree: dict[tuple[int, ...], Node] = {}
        self.states: dict[str, WidgetState] = {}  # the frontend's widget manager: id -> last value
        self.received = 0  # ForwardMsgs, for the record
        self._cache: dict[str, Cached] = {}
        self._run_count, self._max_age = 0, 2
        self._fetched: set[str] = set()
        self._fetches: list[asyncio.Task] = []
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._done: asyncio.Future | None = None
        self._new_session_seen = False
        self._file_urls: dict[str, asyncio.Future] = {}
        self._operations: dict[str, asyncio.Future] = {}

    @property
    def closed(self) -> bool:
        """The websocket is gone (the server closed it, or a message could not be handled)."""
        return self._reader is not None and self._reader.done()

    # --- the visitor's actions ----------------------------------------------------------------------------------

    async def open(self) -> None:
        """Load the app: the page, its assets, the health and host-config checks, then the first script run."""
        html = (await self.http.get("/")).decode()
        assets = index_assets(html) if self.assets is None else self.assets
        await asyncio.gather(*(self.http.get(a) for a in assets))
        await asyncio.gather(self.http.get("/_stcore/health"), self.http.get("/_stcore/host-config"))
        await self._connect()
        # The first rerun: no page hash (the server picks the page from page_name, "" for /), no widgets yet.
        await self._run(self._rerun([], page_hash=""))

    async def reconnect(self, timeout_s: float = 60.0) -> None:
        """What the frontend does when its websocket closes (its server stopped, say): check health and
        host-config until they answer, with growing pauses, then open a websocket naming the old session (a
        server that does not know it starts a new one) and ask for a run with every widget's state, the address
        and the page (the frontend does this when the connection drops during a run; otherwise at the next
        action). Behind a sticky balancer the checks already reach another replica, which sets its own cookie."""
        pause = 0.1
        async with asyncio.timeout(timeout_s):
            while True:
                try:
                    await asyncio.gather(self.http.get("/_stcore/health"), self.http.get("/_stcore/host-config"))
                    await self._connect()
                    break
                except (OSError, ProtocolError, InvalidHandshake):
                    await asyncio.sleep(pause)
                    pause = min(2 * pause, 2.0)
            await self._run(self._rerun(self.states.values()))

    async def _connect(self) -> None:
        xsrf = self.http.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self._ws = await connect(
            self.origin.replace("http", "ws", 1) + "/_stcore/stream",
            # the frontend passes its XSRF token this way, and on a reconnect the session it had
            subprotocols=["streamlit", xsrf, *([self.session_id] if self.session_id else [])],
            origin=self.origin,
            additional_headers={"Cookie": self.http.cookie_header()},  # a balancer's affinity cookie too
            max_size=None,  # a plotly figure can be megabytes
            ping_interval=None,  # browsers only answer the server's pings
        )
        for value in self._ws.response.headers.get_all("Set-Cookie"):  # a balancer may set one on the upgrade
            self.http.set_cookie(value)
        self._reader = asyncio.create_task(self._read())

    async def move_slider(self, index: int = 0, key: str | None = None) -> None:
        """One step right (left at the top) on a main-area slider, by key or by its place on the page."""
        sliders = [n for path, n in sorted(self.tree.items()) if n.kind == "slider" and path[0] == MAIN]
        node = self._find(sliders, key) if key else sliders[index]
        el = node.proto
        state = self.states[el.id]
        now = state.double_array_value.data[0]
        decimals = len(repr(el.step).split(".")[1]) if not float(el.step).is_integer() else 0
        # react-aria snaps to the step; round() keeps 0.1 steps at 1.1, not 1.1000000000000001
        new = round(now - el.step if now >= el.max else now + el.step, decimals)
        state.double_array_value.data[:] = [new]
        if el.query_param_key:
            self._bind_to_url(el.query_param_key, js_number(new), [js_number(v) for v in el.default])
        await self._run(self._rerun(self.states.values(), node.fragment_id))

    async def click(self, key: str) -> None:
        node = self._find([n for n in self.tree.values() if n.kind == "button"], key)
        trigger = WidgetState(id=node.proto.id, trigger_value=True)  # sent once, never kept
        await self._run(self._rerun([*self.states.values(), trigger], node.fragment_id))

    async def switch_page(self, title: str) -> None:
        """What the top navigation does: a rerun on the other page's script hash in the same session."""
        page = next((p for p in self.pages if p.page_name == title), None)
        if page is None:
            raise ProtocolError(f"no page {title!r} in the navigation")
        # The page's own elements go: only the main script's widgets (the sidebar) keep their state, and only
        # the parameters of bound widgets stay in the address (the views' z and src are written again).
        bound = {n.proto.query_param_key for n in self._widgets() if getattr(n.proto, "query_param_key", "")}
        self.query = urlencode(sorted((k, v) for k, v in parse_qsl(self.query, keep_blank_values=True) if k in bound))
        kept = [self.states[n.proto.id] for n in self._widgets()
                if n.script_hash == self.main_hash and n.proto.id in self.states]
        await self._run(self._rerun(kept, page_hash=page.page_script_hash))

    async def upload(self, name: str, data: bytes, mime: str = "image/png", key: str | None = None) -> None:
        """As the file uploader does: ask for an upload URL, PUT the file there, rerun with the file's info."""
        uploaders = [n for _, n in sorted(self.tree.items()) if n.kind == "file_uploader"]
        node = self._find(uploaders, key) if key else uploaders[0]

        async def send() -> None:
            request_id = str(uuid.uuid4())
            answer: asyncio.Future[FileURLsResponse] = asyncio.get_running_loop().create_future()
            self._file_urls[request_id] = answer
            msg = BackMsg()
            msg.file_urls_request.request_id = request_id
            msg.file_urls_request.file_names.append(name)
            msg.file_urls_request.session_id = self.session_id
            await self._send(msg)
            response = await answer
            if response.error_msg or not response.file_urls:
                raise ProtocolError(f"upload URL refused: {response.error_msg!r}")
            urls: FileURLs = response.file_urls[0]
            boundary = f"----WebKitFormBoundary{uuid.uuid4().hex[:16]}"
            body = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                f"Content-Type: {mime}\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
            status, reply = await self.http.request("PUT", urls.upload_url, body, {
                "Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": self.origin,
                "X-Xsrftoken": self.http.cookies.get("_streamlit_xsrf", ""),
            })
            if status != 204:
                raise ProtocolError(f"PUT {urls.upload_url}: HTTP {status} {reply[:200]!r}")
            state = WidgetState(id=node.proto.id)
            info = state.file_uploader_state_value.uploaded_file_info.add(name=name, size=len(data),
                                                                           file_id=urls.file_id)
            info.file_urls.CopyFrom(urls)
            self.states[node.proto.id] = state
            await self._rerun(self.states.values(), node.fragment_id)

        await self._run(send())

    async def download(self, key: str) -> bytes:
        """Click a download button whose file is made on click (data=callable): ask the server for the file over
        the websocket, as the frontend does, then GET the URL it answers (served by the replica that made it)."""
        node = self._find([n for n in self.tree.values() if n.kind == "download_button"], key)
        if node.proto.url:  # made during the run: its URL is already there
            return await self.http.get(node.proto.url)
        request_id = str(uuid.uuid4())
        answer: asyncio.Future[BackendOperationResponse] = asyncio.get_running_loop().create_future()
        self._operations[request_id] = answer
        msg = BackMsg()
        msg.backend_operation_request.request_id = request_id
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = node.proto.deferred_file_id
        async with asyncio.timeout(self.timeout_s):
            await self._send(msg)
            response = await answer
            if response.error_msg or not response.deferred_file.url:
                raise ProtocolError(f"download refused: {response.error_msg!r}")
            return await self.http.get(response.deferred_file.url)

    async def wait_closed(self, timeout_s: float) -> None:
        """Wait `timeout_s` seconds, or less if the websocket closes meanwhile."""
        if self._reader is None or self._reader.done():
            await asyncio.sleep(timeout_s)
        else:
            await asyncio.wait({self._reader}, timeout=timeout_s)

    def shown(self) -> tuple[str, str, list[str]]:
        """What the visitor sees: the address (page and query string) and the pictures on the page (views.pictures
        writes each as an inline PNG in an st.html element)."""
        pictures = sorted(n.proto.body for n in self.tree.values() if n.kind == "html" and "data:image" in n.proto.body)
        return self.path, self.query, pictures

    @property
    def replica(self) -> str | None:
        """The replica a sticky balancer (deploy/haproxy.cfg) holds this session on: its affinity cookie."""
        return self.http.cookies.get(AFFINITY_COOKIE)

    def errors_shown(self) -> list[str]:
        """Exceptions and error alerts on the page now (what the browser benchmark looks for)."""
        shown = []
        for node in self.tree.values():
            if node.kind == "exception":
                shown.append(f"{node.proto.type}: {node.proto.message}")
            elif node.kind == "alert" and node.proto.format == Alert.ERROR:
                shown.append(node.proto.body)
        return shown

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        for task in self._fetches:
            task.cancel()
        self.http.close()

    # --- sending ------------------------------------------------------------------------------------------------

    async def _send(self, msg: BackMsg) -> None:
        if self._ws is None:
            raise ConnectionError("not connected")
        await self._ws.send(msg.SerializeToString())

    async def _rerun(self, widgets: Iterable[WidgetState], fragment_id: str = "", page_hash: str | None = None) -> None:
        msg = BackMsg()
        state: ClientState = msg.rerun_script
        state.query_string = self.query
        state.widget_states.SetInParent()  # present even when empty, as the frontend sends it
        state.widget_states.widgets.extend(widgets)
        state.page_script_hash = self.page_hash if page_hash is None else page_hash
        state.fragment_id = fragment_id
        state.cached_message_hashes.extend(self._cache)
        state.context_info.CopyFrom(ContextInfo(url=self.origin + self.path, **CONTEXT))
        self._new_session_seen = False
        await self._send(msg)

    async def _run(self, send: Awaitable[None]) -> None:
        """Send (an awaitable that sends the rerun), then wait for the run to finish and its pictures to arrive."""
        self._done = asyncio.get_running_loop().create_future()
        self._fetches = []
        try:
            async with asyncio.timeout(self.timeout_s):
                await send
                await self._done
                await asyncio.gather(*self._fetches)
        finally:
            self._done = None

    def _bind_to_url(self, param: str, value: str, default: list[str]) -> None:
        """A bound widget changed by the user writes its value to the address (removed at the default)."""
        params = dict(parse_qsl(self.query, keep_blank_values=True))
        if [value] == default:
            params.pop(param, None)
        else:
            params[param] = value
        self.query = urlencode(sorted(params.items()))  # the frontend's query-string library sorts the keys

    def _widgets(self) -> list[Node]:
        return [n for n in self.tree.values() if n.proto is not None and isinstance(getattr(n.proto, "id", None), str)
                and n.proto.id.startswith("$$ID-")]

    def _find(self, nodes: list[Node], key: str | None) -> Node:
        found = [n for n in nodes if key is None or widget_key(n.proto.id) == key]
        if not found:
            raise ProtocolError(f"no widget with key {key!r} on the page")
        return found[0]

    # --- receiving ----------------------------------------------------------------------------------------------

    async def _read(self) -> None:
        assert self._ws is not None
        problem: Exception = ConnectionError("websocket closed")
        try:
            async for data in self._ws:
                self._handle(data if isinstance(data, bytes) else data.encode())
        except ConnectionClosed as e:
            problem = ConnectionError(f"websocket closed: {e}")
        except Exception as e:  # a message this client cannot handle: fail the action that waits, not silently
            problem = e
        finally:
            for future in [self._done, *self._file_urls.values(), *self._operations.values()]:
                if future is not None and not future.done():
                    future.set_exception(problem)

    def _fail(self, problem: Exception) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_exception(problem)

    def _handle(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        self.received += 1
        if msg.HasField("ref_hash"):  # a message this client said it has cached: the server sent only its hash
            entry = self._cache.get(msg.ref_hash)
            if entry is None:
                return self._fail(ProtocolError(f"cached message {msg.ref_hash} missing"))
            entry.run_count = self._run_count
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.ParseFromString(entry.data)
            msg.metadata.CopyFrom(metadata)
        elif msg.metadata.cacheable and msg.hash:
            if msg.hash in self._cache:
                self._cache[msg.hash].run_count = self._run_count
            else:
                self._cache[msg.hash] = Cached(data, self._run_count, msg.delta.fragment_id)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._new_session(msg)
        elif kind == "navigation":
            self.pages = list(msg.navigation.app_pages)
            self.page_hash = msg.navigation.page_script_hash
            page = next((p for p in self.pages if p.page_script_hash == self.page_hash), None)
            if page is not None:  # the frontend puts the page's path in the address bar
                self.path = "/" if page.is_default else f"/{page.url_pathname}"
        elif kind == "delta":
            self._delta(msg)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            self._finished(msg)
        elif kind == "file_urls_response":
            answer = self._file_urls.pop(msg.file_urls_response.response_id, None)
            if answer is not None and not answer.done():
                answer.set_result(msg.file_urls_response)
        elif kind == "backend_operation_response":
            answer = self._operations.pop(msg.backend_operation_response.request_id, None)
            if answer is not None and not answer.done():
                answer.set_result(msg.backend_operation_response)
        elif kind == "auto_rerun":  # st.fragment(run_every=...): the app has none; fail rather than diverge
            self._fail(ProtocolError("st.fragment(run_every=...) is not replicated by this client"))
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            self._fail(ProtocolError(f"script error: {msg.session_event.script_compilation_exception.message}"))
        elif kind == "page_not_found":
            self._fail(ProtocolError(f"page not found: {msg.page_not_found.page_name!r}"))
        # the rest (session status, page config, git info, page profile, heartbeat ack, logo) needs no answer

    def _new_session(self, msg: ForwardMsg) -> None:
        new = msg.new_session
        if new.initialize.session_id:
            self.session_id = new.initialize.session_id
        self.main_hash = new.main_script_hash
        self._max_age = new.config.max_cached_message_age or self._max_age
        self.run_id = msg.metadata.run.script_run_id
        self._new_session_seen = True
        if new.page_script_hash != self.page_hash:  # another page: only the main script's elements stay
            self.tree = {p: n for p, n in self.tree.items() if n.script_hash == self.main_hash}

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        path = tuple(msg.metadata.delta_path)
        meta = (self.run_id, delta.fragment_id, msg.metadata.active_script_hash)
        which = delta.WhichOneof("type")
        if which == "add_block":
            self.tree[path] = Node("block", None, *meta)
            return
        if which != "new_element":
            return  # transients (toasts) hold no widgets
        kind = delta.new_element.WhichOneof("type")
        el = getattr(delta.new_element, kind)
        self.tree[path] = Node(kind, el, *meta)
        el_id = getattr(el, "id", None)
        if isinstance(el_id, str) and el_id.startswith("$$ID-") and (
            el_id not in self.states or getattr(el, "set_value", False)
        ):
            if (state := initial_state(kind, el)) is not None:
                self.states[el_id] = state
        if kind == "imgs":
            for img in el.imgs:
                self._fetch(img.url)
        elif kind == "bidi_component":  # a custom component's own files, fetched when it first shows
            for source in (el.js_source_path, el.css_source_path):
                if source:
                    self._fetch(f"/_stcore/bidi-components/{el.component_name}/{source}")

    def _fetch(self, url: str) -> None:
        if url.startswith("/") and url not in self._fetched:  # data: URLs need no fetch; the rest is cached
            self._fetched.add(url)
            self._fetches.append(asyncio.create_task(self.http.get(url)))

    def _finished(self, msg: ForwardMsg) -> None:
        status, run = msg.script_finished, msg.metadata.run
        fragments = set(run.fragment_ids)
        if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY) and (
            msg.metadata.HasField("run") and (fragments or run.script_run_id == self.run_id)
        ):
            self._drop_stale(run.script_run_id, fragments)
        if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN and self._new_session_seen and msg.metadata.HasField("run"):
            self._age_cache(fragments)
        if status in DONE and self._new_session_seen and self._done is not None and not self._done.done():
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self._done.set_exception(ProtocolError("the script failed to compile"))
            else:
                self._done.set_result(None)

    def _drop_stale(self, run_id: str, fragments: set[str]) -> None:
        """What a finished run did not write again goes (a fragment's run: only inside its fragments), and with
        it the state of widgets no longer shown."""
        stale = {p for p, n in self.tree.items()
                 if n.run_id != run_id and (not fragments or n.fragment_id in fragments)}
        self.tree = {p: n for p, n in self.tree.items()
                     if not any(p[:i] in stale for i in range(1, len(p) + 1))}
        shown = {n.proto.id for n in self._widgets()}
        self.states = {k: v for k, v in self.states.items() if k in shown}

    def _age_cache(self, fragments: set[str]) -> None:
        """The frontend keeps a cached message for max_cached_message_age runs after it was last used."""
        self._run_count += 1
        for key, entry in list(self._cache.items()):
            if fragments and entry.fragment_id not in fragments:
                continue
            if self._run_count - entry.run_count > self._max_age:
                del self._cache[key]
