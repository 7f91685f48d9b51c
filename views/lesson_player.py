"""The lesson player: a step's narration, task and question above the live page, Back / Next (also from the
keyboard or a presentation clicker), and the step's own link. A step sets the app's state as a shared link would;
the page stays fully interactive from there."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from . import navigation, state_keys
from .common import DEFAULT_TEST_INDEX, current_model, set_digit_from_code, set_test_digit, shipped_test_digits
from .controls import PAGE_CONTROLS, SIDEBAR_CONTROLS, find_control
from .lessons import LESSONS_DIR, MEAN_DIGIT, Lesson, read_lessons, shipped_latent_dims
from .share import DIGIT_PARAMS, source_tag

LESSON, STEP = "lesson", "step"  # session keys, and the URL parameters of a step's link
PENDING_DIGIT, PENDING_PAGE = "_lesson_digit", "_lesson_page"  # applied once the model is loaded / the page known
FROM_URL_DONE = "_lesson_from_url_done"
SHOWN_ANSWER = "_lesson_answer_shown"  # (lesson, step) whose answer is revealed

_keys = st.components.v2.component(
    "lesson_keys", js=(Path(__file__).resolve().parent / "lesson_keys.js").read_text(encoding="utf-8")
)
_CONTROL_KEYS = re.compile("|".join(
    re.escape(c.key).replace(r"\{d\}", r"\d+").replace(r"\{model\}", ".+")
    for c in [*SIDEBAR_CONTROLS, *(c for controls in PAGE_CONTROLS.values() for c in controls)]
))


@st.cache_resource(max_entries=2, show_spinner=False)  # a resource, not data: no copy of the lessons per rerun
def lessons_read(files: tuple[tuple[str, int], ...]) -> tuple[list[Lesson], list[str]]:
    """read_lessons, once per version of the lesson files (`files`: their names and modification times)."""
    return read_lessons()


def lessons_on_offer() -> tuple[list[Lesson], list[str]]:
    """The lessons in lessons/ and a message for each file that cannot be used, read again only when a file
    there changes (an author's edit shows at the next rerun). Reading them takes ~60 ms of CPU: re-reading on
    a timer stalled one rerun of the class every 10 s (benchmarks/RESULTS.md)."""
    return lessons_read(tuple((p.name, p.stat().st_mtime_ns) for p in sorted(LESSONS_DIR.glob("*.yaml"))))


def find_lesson(lesson_id: str) -> Lesson | None:
    return next((lesson for lesson in lessons_on_offer()[0] if lesson.id == lesson_id), None)


def go_to(lesson_id: str, number: int, from_link: bool = False) -> None:
    """Make step `number` (1-based) of the lesson the app's state: every control back to its default, then the
    step's model, seed, controls and digit. A widget callback, or run before any widget of the run exists (a
    step's link, whose own parameters, a student's changes included, then win over the step's)."""
    lesson = find_lesson(lesson_id)
    if lesson is None or not 1 <= number <= len(lesson.steps):
        return
    step = lesson.steps[number - 1]
    for key in [k for k in st.session_state if isinstance(k, str) and _CONTROL_KEYS.fullmatch(k)]:
        del st.session_state[key]
    model = step.state["model"]
    latent_dim = shipped_latent_dims()[model]
    st.session_state[state_keys.MODEL] = model
    for key, raw in step.state.items():
        if key not in ("model", "digit"):
            st.session_state[key] = find_control(step.page, key, model).value(raw, latent_dim)
    st.session_state[PENDING_DIGIT] = step.state.get("digit", "default")
    st.session_state[PENDING_PAGE] = (step.page, not from_link)
    st.session_state[LESSON], st.session_state[STEP] = lesson.id, number


def end_lesson() -> None:
    for key in (LESSON, STEP):
        st.session_state.pop(key, None)


def start_from_link() -> None:
    """On a session's first run, a link's `?lesson=...&step=...` opens that step (before any widget exists)."""
    if st.session_state.get(FROM_URL_DONE):
        return
    st.session_state[FROM_URL_DONE] = True
    lesson_id, number = st.query_params.get(LESSON), st.query_params.get(STEP, "1")
    if lesson_id is None:
        return
    lesson = find_lesson(lesson_id)
    if lesson is None or not (number.isascii() and number.isdigit() and 1 <= int(number) <= len(lesson.steps)):
        # URL text is shown only as a slug: never as Markdown a link's author controls.
        st.warning(f"The link's lesson could not be opened: no lesson '{source_tag(lesson_id)}' with a step "
                   f"'{source_tag(number)}'.")
        return
    go_to(lesson_id, int(number), from_link=True)
    if any(param in st.query_params for param in DIGIT_PARAMS):
        del st.session_state[PENDING_DIGIT]  # the link's digit wins, like its controls (share.digit_from_query)


def switch_to_pending_page(page: st.Page) -> None:
    """After Next or Back, show the step's page with a fresh URL: a bound widget takes its value from the URL
    over the session, so the previous step's parameters must go, even when the page stays the same."""
    pending = st.session_state.pop(PENDING_PAGE, None)
    if pending is None:
        return
    target, fresh_url = pending
    if fresh_url or (page.url_path or navigation.DEFAULT_PAGE) != target:
        # Without query_params, switch_page would clear the URL, which Streamlit refuses while widgets are bound
        # to it; the step's own parameters go in, the widgets and the digit write theirs on the new page.
        step = {LESSON: st.session_state[LESSON], STEP: str(st.session_state[STEP])}
        st.switch_page(navigation.st_page(navigation.spec(target)), query_params=step)


def apply_pending_digit() -> None:
    """The step's digit, once its model is loaded: a test digit by index, or `mean c`, a class-mean code."""
    digit = st.session_state.pop(PENDING_DIGIT, None)
    if digit is None:
        return
    mean = MEAN_DIGIT.fullmatch(str(digit))
    if mean:
        c = int(mean.group(1))
        set_digit_from_code(current_model().latents["class_centroids"][c], f"mean code of class {c}")
    elif shipped_test_digits() is not None:
        set_test_digit(int(digit) if digit != "default" else DEFAULT_TEST_INDEX)
    else:
        st.session_state.pop(state_keys.DIGIT, None)  # the app's default digit


def panel() -> None:
    """The current step above the page, or nothing outside a lesson; keeps ?lesson=&step= in the URL."""
    lesson = find_lesson(st.session_state.get(LESSON, ""))
    if lesson is not None and not 1 <= st.session_state.get(STEP, 0) <= len(lesson.steps):
        lesson = None  # the file changed under a running lesson: it has fewer steps now
    if lesson is None:
        for param in (LESSON, STEP):
            st.query_params.pop(param, None)
        return
    number = st.session_state[STEP]
    step = lesson.steps[number - 1]
    if st.query_params.get(LESSON) != lesson.id or st.query_params.get(STEP) != str(number):
        st.query_params.update({LESSON: lesson.id, STEP: str(number)})  # a URL message only when it changed
    with st.container(border=True, key="lesson_panel"):
        # The buttons first, in one row that wraps on a phone: Next stays in view however long the narration is.
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Lesson: {lesson.title} · step {number} of {len(lesson.steps)}", width="stretch")
            st.button("Back", key="lesson_back", icon=":material/arrow_back:", disabled=number == 1,
                      on_click=go_to, args=(lesson.id, number - 1))
            st.button("Next", key="lesson_next", icon=":material/arrow_forward:", type="primary",
                      disabled=number == len(lesson.steps), on_click=go_to, args=(lesson.id, number + 1))
            st.button("End lesson", key="lesson_end", on_click=end_lesson)
        # Narration beside the task and question (stacked on a phone): more of the live page stays in view.
        words, tasks = st.columns([3, 2]) if step.try_this or step.question else (st.container(), None)
        with words:
            st.markdown(f"#### {step.title}")
            st.markdown(step.narration)
        if tasks is not None:
            with tasks:
                if step.try_this:
                    st.info(step.try_this, icon=":material/touch_app:")
                if step.question:
                    question(lesson, number)
        st.caption("Keys: → or PageDown for the next step, ← or PageUp for the one before (a presentation clicker "
                   "works too). The address bar holds this step's link: send it to students.")
        _keys(key="lesson_keys")


def question(lesson: Lesson, number: int) -> None:
    q = lesson.steps[number - 1].question
    st.markdown(f"**Question.** {q.ask}")
    if q.choices:
        st.radio("Your answer", q.choices, index=None, key=f"lesson_choice_{lesson.id}_{number}")
    else:
        st.text_input("Your answer", key=f"lesson_text_{lesson.id}_{number}")
    if st.session_state.get(SHOWN_ANSWER) == (lesson.id, number):
        st.success(f"**Answer:** {q.answer}" + (f"  \n{q.explain}" if q.explain else ""))
    elif st.button("Show the answer", key="lesson_show_answer"):
        st.session_state[SHOWN_ANSWER] = (lesson.id, number)
        st.rerun()
