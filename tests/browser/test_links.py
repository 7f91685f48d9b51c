"""Links reopen exactly: on every page, set every control away from its default, open the address bar's URL in a
fresh browser (a student's device), and check that it shows the same values, numbers and pictures."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page

from views import navigation

pytestmark = pytest.mark.browser

SETTLE_S = 0.6  # a control's rerun starts a moment after the key press or click that caused it
MOUNT_S = 15  # how long a receiver's page may take to mount its live elements after its run (a loaded machine)


def main(page: Page) -> Locator:
    return page.locator("[data-testid=stMain]")


def view(page: Page) -> dict[str, object]:
    """What a viewer sees on the page and in the sidebar: texts, widget values and every picture."""
    area = page.locator("[data-testid=stMain], [data-testid=stSidebar]")
    # A picker's, the replay's and Mean's table's plain twin pictures go only until the browser is known to run the
    # live elements (views.live.scripts_run): a fresh receiver has them, hidden, and the sender no longer; the live
    # ones are compared.
    pictures = area.locator("img").evaluate_all("els => els.filter(e => !e.closest('[class*=_picker_picture], "
                                                "[class*=vae_fallback_replay_], [class*=vae_fallback_mean_table]'))"
                                                ".map(e => e.getAttribute('src'))")
    plot_pictures = area.locator("svg image").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    values = area.locator("[role=slider]").evaluate_all("els => els.map(e => e.getAttribute('aria-valuetext'))")
    inputs = area.locator("input").evaluate_all("els => els.map(e => e.value)")
    text = re.sub(r"from a shared link \((.*?)\)", r"\1", main(page).inner_text())
    return {"text": text, "pictures": pictures, "plot pictures": plot_pictures, "sliders": values, "inputs": inputs}


class Sender:
    """The teacher's browser: each action changes one control and waits for the app's rerun."""

    def __init__(self, page: Page, app_idle: Callable[[Page], None]) -> None:
        self.page, self.app_idle = page, app_idle

    def settle(self) -> None:
        time.sleep(SETTLE_S)
        self.app_idle(self.page)

    def slide(self, label: str, presses: int, key: str = "ArrowRight") -> None:
        """Move the slider labelled `label` (its first thumb) by `presses` steps with the keyboard: the live one
        (views/live) where the page has it, else the Streamlit one."""
        live = main(self.page).locator(".vae-sliders.ready .vae-slider").filter(has_text=label).locator("input")
        if live.count():
            for _ in range(presses):  # each press is a release: the page reruns in between
                live.first.press(key)
                self.settle()
            return
        thumb = main(self.page).locator("[data-testid=stSlider]").filter(has_text=label).get_by_role("slider").first
        thumb.focus()
        for _ in range(presses):
            thumb.press(key)
        self.settle()

    def choose(self, label: str, option: str) -> None:
        """Pick `option` in the choice labelled `label`: the live one (views/live: radios or a select box) where the
        page has it, else the Streamlit select box (a Streamlit radio: `click` its option)."""
        live = main(self.page).locator(".vae-choices.ready").filter(has_text=label)
        if live.locator("select").count():
            live.locator("select").select_option(option)
        elif live.count():
            live.get_by_role("radio", name=option, exact=True).check()
        else:
            main(self.page).locator("[data-testid=stSelectbox]").filter(has_text=label).click()
            self.page.get_by_role("option", name=option, exact=True).click()
        self.settle()

    def click(self, text: str) -> None:
        """Click the text `text`, or the live switch (views/live) of that name where the page has one."""
        switch = main(self.page).locator(".vae-choices.ready").get_by_role("switch", name=text, exact=True)
        (switch if switch.count() else main(self.page).get_by_text(text, exact=True).first).click()
        self.settle()

    def press(self, name: str) -> None:
        """Press the button `name`, or the live pill (views/live) of that name where the page has one."""
        pill = main(self.page).locator(".vae-choices.ready").get_by_role("checkbox", name=name, exact=True)
        (pill if pill.count() else main(self.page).get_by_role("button", name=name, exact=True).first).click()
        self.settle()

    def next_digit(self) -> None:
        """The sidebar's next example of the current class: another real test digit."""
        self.page.locator("[data-testid=stSidebar]").get_by_role("button", name=re.compile(r"^Next \d")).click()
        self.settle()


@dataclass(frozen=True)
class Case:
    url_path: str
    query: str  # where the sender starts (model, seed)
    act: Callable[[Sender], None]  # sets the page's controls away from their defaults


def interpolate(s: Sender) -> None:
    s.choose("Endpoint A", "class 0")  # the first option, not the widget's default: it must be in the link too
    s.choose("Endpoint B", "real 1")
    s.choose("Path", "spherical (slerp)")
    s.slide("Steps", 2)
    s.slide("Frame", 3)


CASES = [
    Case("", "", lambda s: None),  # the Start page: its view is the digit's
    Case("lessons", "", lambda s: None),
    Case("reconstruct", "?seed=7", lambda s: s.slide("Stochastic reconstructions", 3)),
    Case("maths", "?seed=11", lambda s: None),
    Case("mean", "?model=mnist-z2", lambda s: (s.choose("Unit of the offsets", "posterior sigma_i"),
                                               s.slide("z", 7))),
    Case("variance", "", lambda s: (s.slide("s (multiplies sigma)", 6), s.choose("Samples", "36"),
                                    s.press("Resample"))),
    Case("sample", "?seed=3", lambda s: (s.slide("Temperature T", 4, "ArrowLeft"), s.press("New draws"))),
    Case("interpolate", "", interpolate),
    Case("manifold", "?model=mnist-z2", lambda s: (s.slide("Grid size n", 3, "ArrowLeft"),
                                                   s.choose("Spacing", "linear"), s.slide("z-range", 2))),
    Case("map", "?model=mnist-z2", lambda s: (s.press("3"), s.click("Same z-range as the manifold"))),
    Case("pad", "?model=mnist-z2", lambda s: s.slide("Range of both axes", 2)),
    Case("compare", "", lambda s: None),
    Case("objectives", "", lambda s: None),
    Case("replay", "?model=mnist-z2", lambda s: s.slide("Epoch", 2, "ArrowLeft")),
    Case("upload", "", lambda s: None),
]


def test_every_page_has_a_case() -> None:
    assert {c.url_path or "start" for c in CASES} == {spec.url_path for spec in navigation.PAGES}


@pytest.mark.parametrize("case", CASES, ids=[c.url_path or "start" for c in CASES])
def test_a_link_reopens_the_page_as_the_sender_sees_it(case: Case, page: Page, browser, streamlit_server, app_idle):
    sender = Sender(page, app_idle)
    page.goto(f"{streamlit_server}/{case.url_path}{case.query}")
    sender.settle()
    before = view(page)
    case.act(sender)
    sender.next_digit()  # every page also shows the digit: a link must carry it
    sent = view(page)
    assert sent != before, "the controls changed nothing"
    link = page.url

    receiver = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = receiver.new_page()
        other.goto(link)
        Sender(other, app_idle).settle()
        received = view(other)
        deadline = time.monotonic() + MOUNT_S  # under load a live element may mount after the run is over
        while received != sent and time.monotonic() < deadline:
            time.sleep(0.25)
            received = view(other)
        assert other.url == link, "opening the link changed its address"
    finally:
        receiver.close()
    for part in sent:
        assert received[part] == sent[part], f"{part} differ after reopening {link}"
