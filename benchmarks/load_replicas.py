"""A class spread over several replicas behind the sticky balancer of deploy/, and one replica lost mid-lesson.

    .venv/bin/python benchmarks/load_replicas.py --replicas 3 --sessions 60 --browsers 3 --kill-at 30
    .venv/bin/python benchmarks/load_replicas.py --replicas 2 --sessions 120 --browsers 2 --kill-at 0

Starts R replicas of `streamlit run app.py` and HAProxy with deploy/haproxy.cfg on loopback (tests/replicas.py:
only the addresses are rewritten), warms every replica up, then runs load_classroom.py's class through the
balancer: N sessions arriving within --arrival seconds, each one first load and the same interactions with think
time (page switches, sliders, class buttons, an upload, a download), K of them in Chromium and the others through
tests/protocol_client.py. It reports:

- how the sessions spread over the replicas (the affinity cookie each session got), against an even share;
- the uploads and downloads, which only work when every request reaches the session's own replica;
- with --kill-at T: replica r0 is killed (SIGKILL) T seconds after the first arrival. Its sessions reconnect
  through the balancer as the frontend does, to a live replica: the time from the kill until each has reconnected
  and its page has run again, and whether it shows the same address (page, digit, controls) and pictures as before;
  the other sessions' errors. After --restart-after seconds r0 is started again; once the balancer sees it up,
  --late new sessions arrive, and the report says where they land (the restarted replica should take them);
- latency, errors, the replicas' CPU and memory, as load_classroom.py does (--kill-at 0: no replica is killed,
  which is how a class on one host with one replica per core is measured).

Ports: the balancer on --base-port, the replicas on the next R ports (loopback only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ARTIFACTS, ServerDidNotStart, cpu_model, percentiles  # noqa: E402  (not a package)
from load_classroom import PLAN, SessionResult, load_test, report, run_protocol_session  # noqa: E402

from tests.replicas import Cluster, balanced_replicas  # noqa: E402

VICTIM = 0  # the replica killed: r0
LATE_INTERACTIONS = 3


def spread_line(counts: Counter, replicas: int, total: int) -> str:
    share = total / replicas
    worst = max(abs(counts.get(f"r{i}", 0) - share) / share for i in range(replicas))
    verdict = "PASS" if worst <= 0.2 else "FAIL"
    cells = ", ".join(f"r{i} {counts.get(f'r{i}', 0)}" for i in range(replicas))
    return f"sessions per replica at their first load: {cells} (even share {share:.1f}; worst {worst:.0%} off; " \
           f"target within 20%: {verdict})"


def failover_lines(r: dict, victim: str) -> list[str]:
    events = r["events"]
    if not events:
        return ["no replica killed (--kill-at 0)"]
    results: list[SessionResult] = r["results"]
    chromium_on_victim = [x for x in results[: r["browsers"]] if x.replica == victim]
    protocol_on_victim = [x for x in results[r["browsers"] :] if x.replica == victim]
    on_victim = chromium_on_victim + protocol_on_victim
    moved = [f for x in protocol_on_victim for f in x.failovers]
    times = [f.done_at - events["killed_at"] for f in moved]
    idle = [f for f in moved if not f.in_flight]
    others = [x for x in results if x.replica != victim]
    p50, p95 = percentiles(times)
    lines = [
        f"replica {victim} killed at {events['killed_at'] - r['started']:.1f} s, holding {len(on_victim)} sessions "
        f"({len(protocol_on_victim)} protocol, {len(chromium_on_victim)} Chromium)",
        f"protocol sessions reconnected to a live replica: {len(moved)} of {len(protocol_on_victim)}, taken over by "
        f"{dict(Counter(f.replica for f in moved))}; kill -> reconnected and run again: p50 {p50:.2f} s, "
        f"p95 {p95:.2f} s, max {max(times, default=float('nan')):.2f} s (target under 10 s)",
        f"  idle when killed: {len(idle)}, of which showing the same address and pictures after: "
        f"{sum(f.same for f in idle)}; mid-interaction: {len(moved) - len(idle)} (their interaction completed "
        "after the reconnect)",
        f"  their errors: {sum(len(x.errors) for x in protocol_on_victim)}; the Chromium sessions on {victim}: "
        f"{sum(len(x.errors) for x in chromium_on_victim)} errors",
        f"sessions on the other replicas: {len(others)}, errors {sum(len(x.errors) for x in others)}",
        f"replica {victim} restarted: healthy {events['healthy_after']:.1f} s after its start, in the balancer "
        f"{events['up_after']:.1f} s after; late sessions after that: {len(events['late'])}, landing on "
        f"{dict(Counter(x.replica for x in events['late']))}, errors {sum(len(x.errors) for x in events['late'])}",
    ]
    return lines


def steps_line(r: dict, kind: str) -> str:
    done = len(r["by_kind"].get(kind, [])) + len(r["protocol"]["by_kind"].get(kind, []))
    failed = [e for e in r["errors"] + r["protocol"]["errors"] if f"({kind})" in e]
    return f"{kind}s through the balancer: {done} succeeded, {len(failed)} failed"


async def run(cluster: Cluster, args: argparse.Namespace) -> dict:
    async def kill_and_restart(_browser, assets: list[str]) -> dict:
        if args.kill_at <= 0:
            return {}
        await asyncio.sleep(args.kill_at)
        cluster.kill(VICTIM)
        killed_at = time.perf_counter()
        await asyncio.sleep(args.restart_after)
        started = time.perf_counter()
        await asyncio.to_thread(cluster.start, VICTIM)
        healthy = time.perf_counter()
        await asyncio.to_thread(cluster.wait_up, {r.name for r in cluster.replicas})
        up = time.perf_counter()
        late = await asyncio.gather(*(
            run_protocol_session(cluster.url, 10_000 + i, LATE_INTERACTIONS, i * 0.5, (1.0, 2.0), assets)
            for i in range(args.late)))
        return dict(killed_at=killed_at, healthy_after=healthy - started, up_after=up - healthy, late=late)

    return await load_test(cluster.url, lambda: [r.pid for r in cluster.replicas if r.pid is not None], args,
                           warm_urls=[r.url for r in cluster.replicas], during=kill_and_restart)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--browsers", type=int, default=3, metavar="K", help="sessions in Chromium")
    parser.add_argument("--interactions", type=int, default=len(PLAN), help="after the first load, per session")
    parser.add_argument("--think", default="2-5", help="seconds between a session's interactions: A-B random")
    parser.add_argument("--arrival", type=float, default=10.0, help="sessions open the app within this many seconds")
    parser.add_argument("--kill-at", type=float, default=30.0, help="seconds after the first arrival; 0: no kill")
    parser.add_argument("--restart-after", type=float, default=10.0, help="seconds after the kill")
    parser.add_argument("--late", type=int, default=6, help="sessions arriving once the killed replica is back")
    parser.add_argument("--base-port", type=int, default=8840, help="the balancer's; the replicas take the next")
    parser.add_argument("--nice-clients", action="store_true", help="Chromium at nice 19 (load_classroom.py)")
    args = parser.parse_args()
    load1, load5, _ = os.getloadavg()
    print(f"{date.today()}  machine: {cpu_model()}, {os.cpu_count()} cores, load average {load1:.1f} (1 min) "
          f"{load5:.1f} (5 min); logs: {ARTIFACTS}/load-replicas-*")
    ports = [args.base_port + i for i in range(args.replicas + 1)]
    try:
        with balanced_replicas(args.replicas, ports, "load-replicas") as cluster:
            r = asyncio.run(run(cluster, args))
    except ServerDidNotStart as e:
        raise SystemExit(str(e)) from None
    print(f"\n{args.replicas} replicas behind HAProxy (deploy/haproxy.cfg)")
    report(r)
    print()
    print(spread_line(Counter(x.replica for x in r["results"]), args.replicas, args.sessions))
    print(steps_line(r, "upload"))
    print(steps_line(r, "download"))
    print("pictures: inline PNG data URIs in the page (views/pictures.py), so none is fetched from a replica")
    for line in failover_lines(r, f"r{VICTIM}"):
        print(line)
    lost = sum(any("session lost" in e for e in x.errors) for x in r["results"])
    print(f"lost sessions: {lost}")
    load1, load5, _ = os.getloadavg()
    print(f"load average at the end: {load1:.1f} (1 min) {load5:.1f} (5 min)")


if __name__ == "__main__":
    main()
