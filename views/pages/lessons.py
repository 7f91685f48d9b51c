"""Lessons: the guided walks in lessons/, each with its length, what it covers and its steps; start one here."""

from __future__ import annotations

import streamlit as st

from ..lesson_player import go_to, lessons_on_offer

INTRO = (
    "A lesson walks through the app one step at a time: each step opens a page in the state it describes, with "
    "narration above it, something to try and often a question. The page stays live: change anything, then press "
    "Next (or → / PageDown, as a presentation clicker sends). Each step has its own link, so students can open the "
    "step the teacher is on. Teachers can write their own: see docs/lessons.md."
)


def render() -> None:
    st.subheader("Lessons")
    st.caption(INTRO)
    lessons, problems = lessons_on_offer()
    for problem in problems:  # a broken file is named with what to fix; the other lessons still load
        st.error(f"A lesson file could not be used: {problem}")
    if not lessons:
        st.info("No lessons found in lessons/.")
    for lesson in lessons:
        with st.container(border=True):
            st.markdown(f"#### {lesson.title}")
            st.caption(f"About {lesson.minutes} minutes · {len(lesson.steps)} steps")
            st.markdown(lesson.summary)
            st.button("Start this lesson", key=f"start_{lesson.id}", icon=":material/play_arrow:", type="primary",
                      on_click=go_to, args=(lesson.id, 1))
            with st.expander("Steps"):
                st.markdown("\n".join(f"{i}. {step.title}" for i, step in enumerate(lesson.steps, 1)))
