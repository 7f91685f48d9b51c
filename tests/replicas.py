"""Several `streamlit run app.py` replicas behind HAProxy on loopback, configured by deploy/haproxy.cfg.

Shared by the replica test (tests/test_replicas.py) and benchmarks/load_replicas.py. The balancer runs the
deployed configuration itself: only its `bind` address and its `server` lines are rewritten for loopback (each
server line keeps the options of the deployed ones: health check, affinity cookie), so what is tested here is
what Compose runs. Every replica gets the same cookie secret, as deploy/compose.yaml requires.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.live_app import ARTIFACTS, ROOT, ServerDidNotStart, free_port, healthy, stop, streamlit_command

HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
SERVER_LINE = re.compile(r"^(\s*)server\s+\S+\s+\S+\s*(.*)$")
BIND_LINE = re.compile(r"^(\s*)bind\s+\S+(.*)$")


HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"  # Debian's package puts it in sbin


def haproxy_missing() -> str | None:
    """Why HAProxy cannot be run here, or None."""
    return None if Path(HAPROXY).is_file() else "haproxy not found (apt-get install haproxy)"


def loopback_config(replica_ports: list[int], listen_port: int, stats_socket: Path, text: str | None = None) -> str:
    """deploy/haproxy.cfg (or `text`) with the balancer listening on 127.0.0.1:listen_port and one server per
    replica port, named r0, r1, ... (also their affinity cookie values), with the deployed servers' options; plus
    a stats socket, through which the harness reads what the balancer's health checks see."""
    lines = (HAPROXY_CFG.read_text() if text is None else text).splitlines()
    out, servers_written = [], False
    for line in lines:
        if line.strip() == "global":
            out += [line, f"    stats socket {stats_socket} mode 600"]
        elif bind := BIND_LINE.match(line):
            out.append(f"{bind[1]}bind 127.0.0.1:{listen_port}{bind[2]}")
        elif server := SERVER_LINE.match(line):
            if not servers_written:
                options = re.sub(r"\bcookie\s+\S+", "", server[2]).strip()
                out += [f"{server[1]}server r{i} 127.0.0.1:{port} {options} cookie r{i}".rstrip()
                        for i, port in enumerate(replica_ports)]
                servers_written = True
        else:
            out.append(line)
    if not servers_written:
        raise ValueError("no server line in the HAProxy configuration")
    return "\n".join(out) + "\n"


@dataclass
class Replica:
    name: str  # r0, r1, ...: the server's name in HAProxy and its affinity cookie's value
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None


@dataclass
class Cluster:
    """The replicas and the balancer; `url` is the balancer's address, the only one clients use."""

    url: str
    replicas: list[Replica]
    env: dict[str, str]
    stats_socket: Path
    balancer: subprocess.Popen | None = None
    logs: list = field(default_factory=list)

    def start(self, i: int, timeout_s: float = 120) -> None:
        """Start replica i and wait until it is healthy (the balancer's own check notices it a moment later)."""
        r = self.replicas[i]
        log = open(r.log, "a")
        self.logs.append(log)
        r.proc = subprocess.Popen(streamlit_command("app.py", r.port), cwd=ROOT, env=self.env, stdout=log,
                                  stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while not healthy(r.url):
            if r.proc.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(f"replica {r.name} did not start:\n{r.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def kill(self, i: int) -> None:
        """Kill replica i at once (SIGKILL: no goodbye to its sessions), as a crashed process or node would."""
        proc = self.replicas[i].proc
        if proc is not None:
            proc.kill()
            proc.wait()
            self.replicas[i].proc = None

    def servers_up(self) -> set[str]:
        """The replicas the balancer's health checks see up now (HAProxy's `show stat` on its stats socket)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.stats_socket))
            s.sendall(b"show stat\n")
            text = b"".join(iter(lambda: s.recv(65536), b"")).decode()
        rows = list(csv.reader(line for line in text.splitlines() if line and not line.startswith("#")))
        return {row[1] for row in rows if row[1].startswith("r") and row[17].startswith("UP")}  # svname, status

    def wait_up(self, names: set[str], timeout_s: float = 30) -> None:
        """Wait until the balancer sees exactly these replicas up."""
        deadline = time.monotonic() + timeout_s
        while (up := self.servers_up()) != names:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the balancer sees {sorted(up)} up, not {sorted(names)}")
            time.sleep(0.2)


@contextmanager
def balanced_replicas(count: int, ports: list[int] | None = None, log_prefix: str = "replica") -> Iterator[Cluster]:
    """`count` replicas of the app and HAProxy in front, all on loopback; everything is stopped on exit.

    ports: the balancer's then each replica's (default: free ones). Logs go to artifacts/<log_prefix>-*.log."""
    if reason := haproxy_missing():
        raise ServerDidNotStart(reason)
    ports = ports or [free_port() for _ in range(count + 1)]
    ARTIFACTS.mkdir(exist_ok=True)
    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}  # one secret for all replicas
    replicas = [Replica(f"r{i}", port, ARTIFACTS / f"{log_prefix}-r{i}.log") for i, port in enumerate(ports[1:])]
    for r in replicas:
        r.log.write_text("")
    stats = Path(tempfile.mkdtemp(prefix="haproxy-")) / "stats.sock"  # a UNIX socket path must be short
    cluster = Cluster(f"http://127.0.0.1:{ports[0]}", replicas, env, stats)
    config = ARTIFACTS / f"{log_prefix}-haproxy.cfg"
    config.write_text(loopback_config([r.port for r in replicas], ports[0], stats))
    try:
        for i in range(count):  # one after the other: each loads torch and the models
            cluster.start(i)
        haproxy_log = ARTIFACTS / f"{log_prefix}-haproxy.log"
        with open(haproxy_log, "w") as log:
            cluster.balancer = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log,
                                                stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            while not healthy(cluster.url):
                if cluster.balancer.poll() is not None or time.monotonic() > deadline:
                    raise ServerDidNotStart(f"haproxy did not start:\n{haproxy_log.read_text()}")
                time.sleep(0.1)
            cluster.wait_up({r.name for r in replicas})
            yield cluster
    finally:
        if cluster.balancer is not None:
            stop(cluster.balancer)
        for r in replicas:
            if r.proc is not None:
                stop(r.proc)
        for log in cluster.logs:
            log.close()
        shutil.rmtree(stats.parent, ignore_errors=True)
