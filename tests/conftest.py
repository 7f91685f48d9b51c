"""Shared fixtures: the repository root, MNIST, model folders for the app to serve, a live `streamlit run app.py`
and a headless Chromium page."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st

from tests import live_app
from tests.broken_models import write_good_and_broken_models
from vae_core.data import find_data_dir

ROOT = live_app.ROOT
SCREENSHOTS = live_app.ARTIFACTS / "screenshots"
SERVER_START_SECONDS = 120
APP_TIMEOUT_MS = 120_000  # generous: a first run on a busy machine loads torch and a model


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Locally a missing prerequisite skips the test; in CI it must not pass silently."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing prerequisite is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The MNIST folder: VAE_DATA_DIR, then ../shared/mnist beside the repository."""
    candidates = [Path(os.environ["VAE_DATA_DIR"])] if os.environ.get("VAE_DATA_DIR") else []
    candidates.append(ROOT.parent / "shared" / "mnist")
    for folder in candidates:
        if find_data_dir(folder) is not None:
            return folder
    skip_or_fail(f"MNIST not found in {' or '.join(map(str, candidates))}; set VAE_DATA_DIR")


def clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def serve_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], Path]]:
    """A function that points the app at a folder of models instead of pretrained/, for this test.

    The app lists models from VAE_PRETRAINED_DIR at call time, but Streamlit's caches (the model list, the
    loaded models) live for the whole process: they are emptied on pointing, and again after the test, so
    no other test sees these models.
    """

    def serve(folder: Path) -> Path:
        monkeypatch.setenv("VAE_PRETRAINED_DIR", str(folder))
        clear_streamlit_caches()
        return folder

    yield serve
    clear_streamlit_caches()


@pytest.fixture(scope="session")
def good_and_broken_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder with one good tiny model and a broken one for every way of breaking it (read only)."""
    return write_good_and_broken_models(tmp_path_factory.mktemp("good-and-broken-models"))


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """`streamlit run app.py` on a free localhost port, for the whole session; yields its base URL.

    Its log, artifacts/streamlit.log, is kept by CI: the server's side of a failing browser test.
    """
    try:
        with live_app.streamlit_server("app.py", "streamlit.log", SERVER_START_SECONDS) as url:
            yield url
    except live_app.ServerDidNotStart as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if reason := live_app.chromium_missing():
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = live_app.launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser context per test; a full-page screenshot is saved when the test ends, pass or fail."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(APP_TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def phone(browser):
    """A fresh browser context per test on a phone's screen, with touch (live_app.PHONE)."""
    context = browser.new_context(**live_app.PHONE)
    context.set_default_timeout(APP_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def wait_for_app(page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until the page is connected, the script run is over and nothing is still loading."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout_ms)
    live_app.wait_idle(page, timeout_ms)


@pytest.fixture
def app_idle() -> Callable[..., None]:
    """`wait_for_app` as a fixture, so test modules need not import conftest."""
    return wait_for_app
