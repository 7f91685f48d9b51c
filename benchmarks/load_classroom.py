"""A full classroom: N browser sessions use the app at once; latency per interaction, errors, server memory and CPU.

    .venv/bin/python benchmarks/load_classroom.py --sessions 30 --interactions 22 [--think 2-5] [--arrival 10]
    .venv/bin/python benchmarks/load_classroom.py --sessions 30 --browsers 3

Starts `streamlit run app.py`, warms it up with one session, then opens N contexts in ONE headless Chromium
(Playwright async API, so the sessions run concurrently). Each student arrives at a random moment within
--arrival seconds, loads the app once (timed apart as "first load") and then runs the same scripted sequence
of interactions, as a student would, inside that one page: page switches through the top navigation, slider
moves with the keyboard, sidebar class buttons, the manifold size slider and one PNG upload, pausing a random
--think seconds between them (looking at the picture; --think 0 is a stress test with no pause).
An interaction's latency runs from the action until the app is idle again with its run finished or what the
visitor sees changed. Errors: an exception or error alert on the page, a timeout, a crashed page, first loads
included. The server's RSS (VmRSS of the streamlit process) is read before the sessions open, every 0.5 s while
they run (peak), and after they close; the CPU time of the server and of Chromium over the sessions shows who
used the 2 cores.

--browsers K: only sessions 0..K-1 run in Chromium; the other N - K run the same plan, arrivals and think times
through tests/protocol_client.py, which speaks Streamlit's websocket protocol as the frontend does (same messages, same
picture fetches, so the same work on the server) at a small fraction of a browser's CPU. In a classroom each
browser runs on the student's own device and only the server shares these 2 cores: the K browsers then measure
what a student sees while the server carries all N. The two groups are reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw
from playwright.async_api import Browser, Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402  (benchmarks/ is not a package)
    ARTIFACTS,
    VIEWPORT,
    ServerDidNotStart,
    cpu_model,
    launch_chromium,
    percentiles,
    streamlit_process,
)

from tests.protocol_client import AFFINITY_COOKIE, Session, is_asset  # noqa: E402

STEP_TIMEOUT_MS = 60_000  # one interaction taking longer than this counts as an error
SETTLE_S = 10  # Streamlit drops a session's state a little after its websocket closes
SAMPLE_S = 0.5
ERRORS_ON_PAGE = "[data-testid=stException], [data-testid=stAlertContentError]"
# The main area's visible sliders: Streamlit's (1.67: react-aria, no role=slider), or the live ones (views/live) that
# take their place, hidden, once the browser has the model; a live slider's key press is its release.
SLIDER = ("[data-testid=stMain] [data-testid=stSlider] input[type=range], "
          "[data-testid=stMain] .vae-sliders input[type=range]")

# Counts finished script runs (full or fragment): the state attribute going to notRunning. A MutationObserver
# sees every change, so a run too short for polling to catch "running" is still counted.
COUNT_RUNS_JS = """
window.__runsDone = 0;
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.getAttribute('data-test-script-state') === 'notRunning' && r.oldValue !== 'notRunning') {
      window.__runsDone += 1;
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
# What the visitor sees change: every picture (sidebar and main) and the address (the page and the digit).
APP_SIGNATURE = (
    "location.pathname + location.search + "
    "[...document.querySelectorAll('[data-testid=stApp] img')].map(i => i.src).join(' ')"
)
MAIN_PICTURES_JS = f"() => {APP_SIGNATURE}"
# Done when a run has finished since the action, or what the visitor sees changed: a short run (a fragment's,
# or a fast whole-app run) can finish without the app's state attribute ever leaving notRunning in the DOM.
IDLE_AFTER_JS = """([n, pictures]) => {
  const app = document.querySelector('[data-testid=stApp]');
  const now = """ + APP_SIGNATURE + """;
  return (window.__runsDone > n || (pictures !== null && now !== pictures))
    && app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-testid=stSkeleton], [data-testid=stSpinner]');
}"""


def vm_rss_mb(pids: Iterable[int]) -> float:
    """The resident memory of these server processes together (one that has ended counts 0)."""
    total = 0.0
    for pid in pids:
        try:
            total += next(int(line.split()[1]) / 1024 for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def digit_png(seed: int) -> bytes:
    """A hand-drawn-looking '1' or '7' on white, as a teacher's phone photo would be (dark ink, light paper)."""
    rng = random.Random(seed)
    img = Image.new("L", (120, 120), 255)
    d = ImageDraw.Draw(img)
    x = 60 + rng.randint(-10, 10)
    if seed % 2:
        d.line([(x, 15), (x + rng.randint(-8, 8), 105)], fill=0, width=12)
    else:
        d.line([(25, 20), (95, 20)], fill=0, width=12)
        d.line([(95, 20), (x - 10, 105)], fill=0, width=12)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


# --- the interactions ---------------------------------------------------------------------------------------------

Action = Callable[[Page, int], Awaitable[None]]
ProtocolAction = Callable[[Session, int], Awaitable[None]]  # the same step for a protocol_client session
Step = tuple[str, Action, ProtocolAction]


async def move_slider(page: Page, index: int) -> None:
    slider = page.locator(SLIDER).filter(visible=True).nth(index)
    now, top = await slider.input_value(), await slider.get_attribute("max")
    await slider.focus()
    # at the top a step right would change nothing and start no run
    await page.keyboard.press("ArrowLeft" if now is not None and top is not None and float(now) >= float(top)
                              else "ArrowRight")


def slider(index: int = 0, name: str = "slider") -> Step:
    async def act(page: Page, _: int) -> None:
        await move_slider(page, index)

    async def protocol(session: Session, _: int) -> None:
        await session.move_slider(index)  # the same slider: main-area sliders in page order

    return name, act, protocol


def class_button(c: int) -> Step:
    async def act(page: Page, _: int) -> None:
        # the visible one: the live panel's button once the browser runs it (its Streamlit twin is hidden then)
        await page.get_by_test_id("stSidebar").get_by_role("button", name=str(c), exact=True).locator(
            "visible=true").first.click()

    async def protocol(session: Session, _: int) -> None:
        await session.click(f"class_{c}")

    return "class button", act, protocol


def upload() -> Step:
    async def act(page: Page, n: int) -> None:
        await page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
            {"name": f"digit{n}.png", "mimeType": "image/png", "buffer": digit_png(n)}
        )

    async def protocol(session: Session, n: int) -> None:
        await session.upload(f"digit{n}.png", digit_png(n))

    return "upload", act, protocol


def download(key: str) -> Step:
    """A download button whose file is made on click: done when the file has arrived."""

    async def act(page: Page, _: int) -> None:
        async with page.expect_download() as event:
            await page.locator(f".st-key-{key} button").click()
        if await (await event.value).failure():
            raise RuntimeError(f"download {key} failed")

    async def protocol(session: Session, _: int) -> None:
        if not await session.download(key):
            raise RuntimeError(f"download {key} empty")

    return "download", act, protocol


def switch_to(section: str, title: str) -> Step:
    """Open a section of the top navigation and pick a page: the app switches pages without reloading."""

    async def act(page: Page, _: int) -> None:
        await page.get_by_test_id("stTopNavSection").filter(has_text=section).click()
        await page.get_by_test_id("stTopNavDropdownLink").filter(has_text=title).click()

    async def protocol(session: Session, _: int) -> None:
        await session.switch_page(title)  # opening the section is the browser's own business

    return "page switch", act, protocol


# After the first load (Start here, the default page), 22 interactions across the views.
PLAN = [
    switch_to("Encode", "Reconstruct"), class_button(3), slider(0),
    switch_to("Perturb", "Mean perturbation"), slider(0), class_button(7),
    switch_to("Perturb", "Variance perturbation"), slider(0),
    switch_to("Generate", "Sample"), class_button(1),
    switch_to("Generate", "Interpolate"), slider(0), download("interp_png"),
    switch_to("Latent space", "Manifold"), slider(0, "manifold size"), class_button(5),
    switch_to("Latent space", "Latent map"), class_button(2),
    switch_to("Encode", "Upload & draw"), upload(),
    switch_to("Encode", "Reconstruct"), slider(0),
]  # fmt: skip


@dataclass
class Failover:
    """A protocol session whose websocket closed (its replica stopped) and that reconnected."""

    done_at: float  # perf_counter when the reconnected session's run had finished
    in_flight: bool  # the websocket closed during an interaction (the frontend then reruns it after reconnecting)
    same: bool  # the same address and pictures as just before (compared only when nothing was in flight)
    replica: str | None  # the replica that took the session over


@dataclass
class SessionResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    by_page: dict[str, list[float]] = field(default_factory=dict)  # the same, by interaction and page
    server: list[float] = field(default_factory=list)  # websocket: first frame sent -> last frame received
    errors: list[str] = field(default_factory=list)
    replica: str | None = None  # behind a sticky balancer: the replica its first load landed on
    failovers: list[Failover] = field(default_factory=list)


def record(result: SessionResult, kind: str, elapsed: float, path: str) -> None:
    """One interaction's latency, by kind and by kind and page (path: the address's path afterwards)."""
    result.latencies.setdefault(kind, []).append(elapsed)
    where = path.strip("/") or "start"
    label = f"{kind} -> {where}" if kind == "page switch" else f"{kind} on {where}"
    result.by_page.setdefault(label, []).append(elapsed)


def failure(index: int, step: int, kind: str, e: Exception) -> str:
    return f"session {index} step {step} ({kind}): {type(e).__name__}: {(str(e).splitlines() or [''])[0]}"


def server_time(frames: list[tuple[str, float]]) -> float | None:
    """Time spent waiting on the server: from each frame the page sends to the last reply before its next send.

    An interaction can take several round trips (a chart reports its state after drawing, say); the gaps
    in which the page itself was busy are left out."""
    total, asked, answered = 0.0, None, None
    for direction, t in [*frames, ("sent", float("inf"))]:
        if direction == "received":
            answered = t
        else:
            if asked is not None and answered is not None and answered > asked:
                total += answered - asked
            asked, answered = t, None
    return total if total > 0 else None


async def run_session(
    browser, url: str, index: int, interactions: int, start_delay_s: float, think: tuple[float, float],
    fetched: list[str] | None = None,
) -> SessionResult:
    """One Chromium session through the plan; `fetched` collects the paths of every request the page makes."""
    result = SessionResult()
    await asyncio.sleep(start_delay_s)
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    await context.add_init_script(COUNT_RUNS_JS)
    page = await context.new_page()
    if fetched is not None:
        page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    # Chromium's network service stamps each websocket frame as it leaves or arrives, so the server's share of
    # an interaction is measured right even while the page itself waits for a core to render.
    frames: list[tuple[str, float]] = []
    cdp = await context.new_cdp_session(page)
    cdp.on("Network.webSocketFrameSent", lambda e: frames.append(("sent", e["timestamp"])))
    cdp.on("Network.webSocketFrameReceived", lambda e: frames.append(("received", e["timestamp"])))
    await cdp.send("Network.enable")
    crashed = []
    page.on("crash", lambda _: crashed.append(True))
    rng = random.Random(index)

    async def timed(kind: str, step: int, action: Awaitable, before: int, seen: str | None) -> bool:
        try:
            first_frame = len(frames)
            t0 = time.perf_counter()  # a coroutine starts when awaited
            await action
            await page.wait_for_function(IDLE_AFTER_JS, arg=[before, seen], timeout=STEP_TIMEOUT_MS)
            elapsed = time.perf_counter() - t0
            if kind != "first load" and (waited := server_time(frames[first_frame:])) is not None:
                result.server.append(waited)
            record(result, kind, elapsed, await page.evaluate("location.pathname"))
            shown = await page.locator(ERRORS_ON_PAGE).all_inner_texts()
            if shown:
                result.errors.append(f"session {index} step {step} ({kind}): {shown[0][:200]!r}")
            return True
        except Exception as e:  # a timeout or a crash: count it and go on
            result.errors.append(failure(index, step, kind, e))
            return False

    try:
        if await timed("first load", 0, page.goto(url), 0, None):
            result.replica = next((c["value"] for c in await context.cookies() if c["name"] == AFFINITY_COOKIE), None)
            for step in range(1, interactions + 1):
                await asyncio.sleep(rng.uniform(*think))
                if crashed:
                    result.errors.append(f"session {index} step {step}: page crashed")
                    break
                kind, act, _ = PLAN[(step - 1) % len(PLAN)]
                # a download starts no run: done when the file has arrived and the app is idle
                before = -1 if kind == "download" else await page.evaluate("window.__runsDone")
                seen = await page.evaluate(MAIN_PICTURES_JS)
                await timed(kind, step, act(page, index * 1000 + step), before, seen)
    finally:
        await context.close()
    return result


async def run_protocol_session(
    url: str, index: int, interactions: int, start_delay_s: float, think: tuple[float, float], assets: list[str]
) -> SessionResult:
    """The same plan, arrival and think times through protocol_client: the server's work without a browser."""
    result = SessionResult()
    await asyncio.sleep(start_delay_s)
    session = Session(url, assets, timeout_s=STEP_TIMEOUT_MS / 1000)
    rng = random.Random(index)

    async def recover(step: int, in_flight: bool) -> bool:
        """The websocket closed: reconnect as the frontend does (behind a balancer, to another replica)."""
        before = session.shown()
        try:
            await session.reconnect(timeout_s=STEP_TIMEOUT_MS / 1000)
        except Exception as e:
            result.errors.append(failure(index, step, "reconnect: session lost", e))
            return False
        result.failovers.append(Failover(time.perf_counter(), in_flight, session.shown() == before, session.replica))
        return True

    async def timed(kind: str, step: int, action: Awaitable) -> bool:
        try:
            t0 = time.perf_counter()
            try:
                await action  # returns once the run has finished and its pictures have arrived
            except Exception:
                # closed mid-interaction: after reconnecting, the frontend reruns with the widgets' states
                await session.wait_closed(2.0)  # a failed send can come before the reader sees the close
                if not (session.closed and kind != "first load" and await recover(step, in_flight=True)):
                    raise
            record(result, kind, time.perf_counter() - t0, session.path)
            if shown := session.errors_shown():
                result.errors.append(f"session {index} step {step} ({kind}): {shown[0][:200]!r}")
            return True
        except Exception as e:  # a timeout, a closed socket, an HTTP error: count it and go on
            result.errors.append(failure(index, step, kind, e))
            return False

    try:
        if await timed("first load", 0, session.open()):
            result.replica = session.replica
            for step in range(1, interactions + 1):
                await session.wait_closed(rng.uniform(*think))  # thinking; the frontend reconnects at once
                if session.closed and not await recover(step, in_flight=False):
                    break
                kind, _, act = PLAN[(step - 1) % len(PLAN)]
                await timed(kind, step, act(session, index * 1000 + step))
    finally:
        await session.close()
    return result


async def sample_rss(pids: Callable[[], list[int]], samples: list[float], stop_event: asyncio.Event) -> None:
    while not stop_event.is_set():
        samples.append(vm_rss_mb(pids()))
        try:
            await asyncio.wait_for(stop_event.wait(), SAMPLE_S)
        except TimeoutError:
            pass


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (children that exited are not counted)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass  # a process that ended meanwhile
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores spent busy since boot (/proc/stat: everything but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def nice_chromium() -> None:
    """Lowest CPU priority for every Chromium process (renderers forked later inherit it from the zygote)."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and "chrom" in (entry / "comm").read_text():
                os.setpriority(os.PRIO_PROCESS, int(entry.name), 19)
        except OSError:
            pass  # a process that ended meanwhile


def merged(results: list[SessionResult]) -> dict:
    """One group's sessions together: latencies by kind and by page, all interactions, server parts, errors."""
    by_kind: dict[str, list[float]] = {}
    by_page: dict[str, list[float]] = {}
    for r in results:
        for kind, values in r.latencies.items():
            by_kind.setdefault(kind, []).extend(values)
        for kind, values in r.by_page.items():
            by_page.setdefault(kind, []).extend(values)
    return dict(
        by_kind=by_kind,
        by_page=by_page,
        interactions_timed=[v for kind, values in by_kind.items() if kind != "first load" for v in values],
        server_latency=[v for r in results for v in r.server],
        errors=[e for r in results for e in r.errors],
    )


async def load_test(
    url: str, pids: Callable[[], list[int]], args: argparse.Namespace, warm_urls: Iterable[str] = (),
    during: Callable[[Browser, list[str]], Awaitable[dict]] | None = None,
) -> dict:
    """N sessions through the plan against `url`; `pids()`: the server processes now (memory and CPU).

    warm_urls: servers that also get a warm-up session of their own (replicas behind a balancer at `url`).
    during(browser, assets): runs alongside the sessions (a replica stopped and restarted, late arrivals); what
    it returns is kept under "events"."""
    think = tuple(float(t) for t in args.think.split("-")) if "-" in args.think else (float(args.think),) * 2
    browsers = args.sessions if args.browsers is None else max(0, min(args.browsers, args.sessions))
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        if args.nice_clients:
            nice_chromium()
        rss_start = vm_rss_mb(pids())
        # one warm-up session: torch, the models and the caches load once per server, not per classroom. Its
        # requests give the protocol sessions the frontend's files a browser fetches (lazy chunks included).
        fetched: list[str] = []
        warm = await run_session(browser, url, -1, len(PLAN), 0, (0.0, 0.0), fetched)
        assets = [path for path in dict.fromkeys(fetched) if is_asset(path)]
        for other in warm_urls:
            warm.errors += (await run_protocol_session(other, -1, len(PLAN), 0, (0.0, 0.0), assets)).errors
        await asyncio.sleep(SETTLE_S)
        rss_before = vm_rss_mb(pids())
        samples: list[float] = []
        done = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(pids, samples, done))
        cpu_start = {pid: cpu_seconds([pid]) for pid in pids()}
        busy, own_cpu = machine_busy_seconds(), time.process_time()
        t0 = time.perf_counter()
        arrivals = [random.uniform(0, args.arrival) for _ in range(args.sessions)]
        results, events = await asyncio.gather(
            asyncio.gather(
                *(run_session(browser, url, i, args.interactions, arrivals[i], think) if i < browsers
                  else run_protocol_session(url, i, args.interactions, arrivals[i], think, assets)
                  for i in range(args.sessions))
            ),
            during(browser, assets) if during is not None else asyncio.sleep(0, {}),
        )
        wall = time.perf_counter() - t0
        server_cpu = sum(cpu_seconds([pid]) - cpu for pid, cpu in cpu_start.items() if pid in pids())  # throughout
        others_cpu = machine_busy_seconds() - busy - server_cpu  # Chromium, Playwright and this script
        own_cpu = time.process_time() - own_cpu  # this script: the protocol clients and Playwright's Python side
        await browser.close()
        await asyncio.sleep(SETTLE_S)
        done.set()
        await sampler
        rss_after = vm_rss_mb(pids())
    return dict(
        sessions=args.sessions,
        browsers=browsers,
        interactions=args.interactions,
        think=think,
        arrival=args.arrival,
        wall_s=wall,
        started=t0,
        results=results,
        events=events,
        **merged(results[:browsers]),  # the Chromium sessions: what a student sees
        protocol=merged(results[browsers:]),
        nice_clients=args.nice_clients,
        warmup_errors=warm.errors,
        rss_start=rss_start,
        rss_before=rss_before,
        rss_peak=max(samples, default=float("nan")),
        rss_after=rss_after,
        server_cpu=server_cpu,
        others_cpu=others_cpu,
        own_cpu=own_cpu,
    )


def kind_table(group: dict) -> None:
    """p50 / p95 by interaction kind, then over all interactions (first loads apart)."""
    print(f"{'interaction':<16} {'count':>6} {'p50 s':>7} {'p95 s':>7}")
    for kind, values in sorted(group["by_kind"].items()):
        k50, k95 = percentiles(values)
        print(f"{kind:<16} {len(values):>6} {k50:>7.2f} {k95:>7.2f}")
    p50, p95 = percentiles(group["interactions_timed"])
    print(f"{'interactions':<16} {len(group['interactions_timed']):>6} {p50:>7.2f} {p95:>7.2f}  (first loads apart)")


def errors_line(title: str, errors: list[str]) -> str:
    return f"{title}: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:20])


def report(r: dict) -> None:
    mixed = r["browsers"] < r["sessions"]  # some sessions ran through protocol_client
    proto = r["protocol"]
    protocols = r["sessions"] - r["browsers"]
    mode = f"{r['browsers']} Chromium + {protocols} protocol" if mixed else f"{r['sessions']} Chromium"
    p50, p95 = percentiles(r["interactions_timed"])
    think = f"{r['think'][0]:g}-{r['think'][1]:g} s" if r["think"][1] else "none"
    print(
        f"\n{r['sessions']} sessions{f' ({mode})' if mixed else ''}, arriving within {r['arrival']:g} s; one first "
        f"load and {r['interactions']} interactions each, think time {think}; wall {r['wall_s']:.0f} s"
    )
    if mixed:
        print(f"\nThe {r['browsers']} Chromium sessions (what a student sees):")
    kind_table(r)
    s50, s95 = percentiles(r["server_latency"])
    print(f"{'  server part':<16} {len(r['server_latency']):>6} {s50:>7.2f} {s95:>7.2f}  (websocket round trips)")
    print(f"\n{'by page':<36} {'count':>6} {'p50 s':>7} {'p95 s':>7}")
    for kind, values in sorted(r["by_page"].items()):
        k50, k95 = percentiles(values)
        print(f"{kind:<36} {len(values):>6} {k50:>7.2f} {k95:>7.2f}")
    print(errors_line("errors (Chromium)" if mixed else "errors", r["errors"]))
    if mixed:
        print(f"\nThe {protocols} protocol sessions (message sent -> run finished and its pictures fetched):")
        kind_table(proto)
        print(errors_line("errors (protocol)", proto["errors"]))
    if r["warmup_errors"]:
        print("warm-up errors:" + "".join(f"\n  {e}" for e in r["warmup_errors"]))
    cores = os.cpu_count() or 1
    clients = (f"Chromium + Playwright + protocol clients {r['others_cpu']:.0f} s (this process {r['own_cpu']:.0f} s)"
               if mixed else f"Chromium + Playwright {r['others_cpu']:.0f} s")
    print(
        f"CPU over the sessions: server {r['server_cpu']:.0f} s, {clients}, of "
        f"{cores * r['wall_s']:.0f} core-seconds ({cores} cores x {r['wall_s']:.0f} s)"
        + (" (Chromium at nice 19)" if r["nice_clients"] else "")
    )
    print(
        f"server RSS MB: at start {r['rss_start']:.0f}, before sessions (after warm-up) {r['rss_before']:.0f}, "
        f"peak {r['rss_peak']:.0f}, after close +{SETTLE_S} s {r['rss_after']:.0f}"
    )
    fl50, fl95 = percentiles(r["by_kind"].get("first load", []))
    q50, q95 = percentiles(proto["interactions_timed"])
    protocol_cell = f"{q50:.2f} / {q95:.2f}" if mixed else "-"
    errors_cell = f"{len(r['errors'])} + {len(proto['errors'])}" if mixed else f"{len(r['errors'])}"
    clients_cell = "nice 19" if r["nice_clients"] else "nice 0"
    print(
        "| N | sessions | think (s) | clients | interactions p50 / p95 (s) | server part p50 / p95 (s) "
        "| first load p50 / p95 (s) | protocol interactions p50 / p95 (s) | errors | CPU server / clients (s) of "
        "cores x wall | RSS before / peak / after (MB) |"
    )
    print(
        f"| {r['sessions']} | {mode} | {think} | {clients_cell} | {p50:.2f} / {p95:.2f} | {s50:.2f} / {s95:.2f} "
        f"| {fl50:.2f} / {fl95:.2f} | {protocol_cell} | {errors_cell} "
        f"| {r['server_cpu']:.0f} / {r['others_cpu']:.0f} of {cores * r['wall_s']:.0f} "
        f"| {r['rss_before']:.0f} / {r['rss_peak']:.0f} / {r['rss_after']:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--interactions", type=int, default=len(PLAN), help="after the first load, per session")
    parser.add_argument("--think", default="2-5", help="seconds between a session's interactions: A-B random, or 0")
    parser.add_argument("--arrival", type=float, default=10.0, help="students open the app within this many seconds")
    parser.add_argument(
        "--nice-clients",
        action="store_true",
        help="run Chromium at nice 19, so the server gets the CPU first, as when each student has a device",
    )
    parser.add_argument(
        "--browsers",
        type=int,
        default=None,
        metavar="K",
        help="sessions in Chromium (default: all); the other N - K: tests/protocol_client.py",
    )
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    log_name = "load_classroom.log"
    print(f"{date.today()}  machine: {cpu_model()}, {os.cpu_count()} cores; server log: {ARTIFACTS / log_name}")
    try:
        with streamlit_process("app.py", log_name, port=args.port) as (proc, url):
            result = asyncio.run(load_test(url, lambda: [proc.pid], args))
    except ServerDidNotStart as e:
        raise SystemExit(str(e)) from None
    report(result)


if __name__ == "__main__":
    main()
