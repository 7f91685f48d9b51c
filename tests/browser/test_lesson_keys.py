"""A lesson in a real browser: the keyboard's next key (PageDown, what a presentation clicker sends) walks every
shipped lesson from its first step to its last; the back key steps back; keys typed into a slider stay there."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from views.lessons import Lesson, read_lessons

pytestmark = pytest.mark.browser

SHIPPED, _ = read_lessons()
SETTLE_S = 0.6


def step_caption(page: Page):
    return page.locator(".st-key-lesson_panel [data-testid=stCaptionContainer]").first


def press(page: Page, key: str, app_idle) -> None:
    page.wait_for_selector("html[data-vae-lesson-keys]", state="attached")  # the lesson's key listener is on
    page.keyboard.press(key)
    time.sleep(SETTLE_S)
    app_idle(page)


@pytest.mark.parametrize("lesson", SHIPPED, ids=[lesson.id for lesson in SHIPPED])
def test_the_next_key_walks_the_lesson_to_its_last_step(lesson: Lesson, page: Page, streamlit_server, app_idle):
    page.goto(f"{streamlit_server}/?lesson={lesson.id}&step=1")
    app_idle(page)
    n = len(lesson.steps)
    for number in range(1, n + 1):
        expect(step_caption(page)).to_have_text(f"Lesson: {lesson.title} · step {number} of {n}")
        expect(page.locator("[data-testid=stException]")).to_have_count(0)
        path = lesson.steps[number - 1].page
        assert page.url.split("?")[0].rstrip("/").endswith("" if path == "start" else f"/{path}"), page.url
        if number < n:
            press(page, "PageDown", app_idle)
    press(page, "PageDown", app_idle)  # past the last step nothing happens
    expect(step_caption(page)).to_have_text(f"Lesson: {lesson.title} · step {n} of {n}")
    press(page, "PageUp", app_idle)
    expect(step_caption(page)).to_have_text(f"Lesson: {lesson.title} · step {n - 1} of {n}")


def test_arrow_keys_on_a_focused_slider_move_the_slider_not_the_lesson(page: Page, streamlit_server, app_idle):
    lesson = SHIPPED[0]
    number = next(i for i, s in enumerate(lesson.steps, 1) if s.page == "reconstruct")
    page.goto(f"{streamlit_server}/reconstruct?lesson={lesson.id}&step={number}")
    app_idle(page)
    slider = page.locator("[data-testid=stMain]").get_by_role("slider").first
    before = int(slider.input_value())
    slider.focus()
    press(page, "ArrowRight", app_idle)
    expect(slider).to_have_value(str(before + 1))
    expect(step_caption(page)).to_contain_text(f"step {number} of")


def test_the_next_step_on_the_same_page_replaces_what_the_student_changed(page: Page, streamlit_server, app_idle):
    lesson = SHIPPED[0]
    number = next(i for i, (a, b) in enumerate(zip(lesson.steps, lesson.steps[1:]), 1)
                  if a.page == b.page == "reconstruct" and "recon_samples" in b.state)
    page.goto(f"{streamlit_server}/reconstruct?lesson={lesson.id}&step={number}")
    app_idle(page)
    slider = page.locator("[data-testid=stMain]").get_by_role("slider").first
    slider.focus()
    for _ in range(3):  # 6 -> 3: not the slider's default, so the change shows in the address bar
        press(page, "ArrowLeft", app_idle)
    assert "recon_samples=3" in page.url
    page.evaluate("document.activeElement.blur()")
    press(page, "PageDown", app_idle)
    expect(step_caption(page)).to_contain_text(f"step {number + 1} of")
    expect(page.locator("[data-testid=stMain]").get_by_role("slider").first).to_have_value(
        str(lesson.steps[number].state["recon_samples"]))
