"""Two replicas of the app behind HAProxy (deploy/haproxy.cfg) on loopback: a session sticks to its replica, and
when that replica stops, the session reconnects to the other with the state its link carries."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import skip_or_fail
from tests.corpus import encode, seven
from tests.live_app import ServerDidNotStart
from tests.protocol_client import Session
from tests.replicas import Cluster, balanced_replicas, haproxy_missing


def upload_png() -> bytes:
    return encode(seven(), "PNG")


async def sticks_then_fails_over(cluster: Cluster) -> None:
    student, other = Session(cluster.url, timeout_s=60), Session(cluster.url, timeout_s=60)
    try:
        await student.open()
        await other.open()
        home = student.replica
        assert {home, other.replica} == {"r0", "r1"}  # leastconn: the second session goes to the idle replica

        # Sticks: an upload (its file lives on the replica that took it) and a download (made on click by the
        # replica that holds the session) only work if every request reaches the session's own replica.
        await student.switch_page("Upload & draw")
        await student.upload("digit.png", upload_png())
        assert not student.errors_shown() and any(n.kind == "html" for n in student.tree.values())
        await student.switch_page("Interpolate")
        assert (await student.download("interp_png")).startswith(b"\x89PNG")
        await student.click("class_3")  # a digit of its own, carried by the link
        await student.switch_page("Mean perturbation")
        await student.move_slider(0)
        assert student.replica == home
        before = student.shown()
        assert "digit=" in before[1] and "mean_shift" in before[1] and before[2]

        cluster.kill(int(home[1:]))
        await student.reconnect()
        assert student.replica == other.replica != home
        assert student.shown() == before  # the same page, controls, digit and pictures
        assert not student.errors_shown()
        # The new replica accepts the XSRF cookie the first one set (one shared cookie secret): an upload works.
        await student.switch_page("Upload & draw")
        await student.upload("digit.png", upload_png())
        assert not student.errors_shown()
        await other.click("class_5")  # the other replica's own session never noticed
        assert not other.errors_shown() and other.replica != home
    finally:
        await student.close()
        await other.close()


def test_a_session_sticks_to_its_replica_and_moves_with_its_state_when_the_replica_stops() -> None:
    if reason := haproxy_missing():
        skip_or_fail(reason)
    try:
        with balanced_replicas(2, log_prefix="test-replicas") as cluster:
            # In its own thread: in a full run the browser tests' Playwright keeps an event loop running in this one.
            with ThreadPoolExecutor(1) as thread:
                thread.submit(asyncio.run, sticks_then_fails_over(cluster)).result()
    except ServerDidNotStart as e:
        pytest.fail(str(e))
