"""The lesson player in AppTest: the Lessons page lists the lessons (and names a broken file), a step opens its page
in the state it declares with the narration above it, Next / Back / End move through it, a step's link opens that
step, a question's answer shows on demand; and every shipped lesson walks end to end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import current_digit, loaded_model, open_page
from views import lesson_player, state_keys
from views.controls import find_control
from views.lessons import Lesson, read_lessons, shipped_latent_dims

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = re.search(r"```yaml\n(.*?)```", (ROOT / "docs" / "lessons.md").read_text(), re.S).group(1)
SHIPPED, _ = read_lessons()


@pytest.fixture
def example_lessons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's lessons are docs/lessons.md's example (as blur.yaml) and a broken file."""
    (tmp_path / "blur.yaml").write_text(EXAMPLE)
    (tmp_path / "broken.yaml").write_text("title: [unclosed\n")
    monkeypatch.setattr(lesson_player, "read_lessons", lambda: read_lessons(tmp_path))
    lesson_player.lessons_read.clear()
    yield tmp_path
    lesson_player.lessons_read.clear()


def panel_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.main.markdown) + "\n".join(c.value for c in at.main.caption)


def test_the_lessons_page_lists_the_lessons_and_names_a_broken_file(example_lessons: Path) -> None:
    at = open_page("lessons")
    assert any(m.value == "#### Blur and the KL" for m in at.main.markdown)
    assert any(e.value.startswith("A lesson file could not be used: broken.yaml: not valid YAML") for e in at.error)


def test_starting_a_lesson_opens_its_first_step_in_the_state_it_declares(example_lessons: Path) -> None:
    at = open_page("lessons")
    at.button(key="start_blur").click().run()
    assert not at.exception
    assert "Lesson: Blur and the KL · step 1 of 2" in panel_text(at)
    assert at.slider(key="recon_samples").value == 6  # the step's state, on the step's page
    assert current_digit(at).test_index == 4 and loaded_model(at).name == "mnist-z20"
    assert at.query_params["lesson"] == "blur" and at.query_params["step"] == "1"


def test_next_back_and_end_move_through_the_lesson(example_lessons: Path) -> None:
    at = open_page("reconstruct", lesson="blur", step="1")
    at.slider(key="recon_samples").set_value(2).run()  # the student plays with the page
    at.button(key="lesson_next").click().run()
    assert "step 2 of 2" in panel_text(at) and loaded_model(at).name == "mnist-z2"
    assert at.slider(key="recon_samples").value == 4  # what step 2 leaves out starts at its default
    assert at.button(key="lesson_next").disabled
    at.button(key="lesson_back").click().run()
    assert "step 1 of 2" in panel_text(at) and at.slider(key="recon_samples").value == 6
    at.button(key="lesson_end").click().run()
    assert "Lesson:" not in panel_text(at) and "lesson" not in at.query_params


def test_a_steps_link_opens_that_step(example_lessons: Path) -> None:
    at = open_page("reconstruct", lesson="blur", step="2")
    assert "step 2 of 2" in panel_text(at) and loaded_model(at).name == "mnist-z2"


def test_a_link_to_a_missing_lesson_says_so_and_the_app_goes_on(example_lessons: Path) -> None:
    at = open_page("reconstruct", lesson="no-such-lesson", step="1")
    assert any("The link's lesson could not be opened" in w.value for w in at.warning)
    assert "Lesson:" not in panel_text(at)


def test_the_answer_shows_only_when_asked(example_lessons: Path) -> None:
    at = open_page("reconstruct", lesson="blur", step="1")
    assert not at.success
    at.button(key="lesson_show_answer").click().run()
    assert at.success[0].value.startswith("**Answer:** the reconstruction term")


def shows_state(at: AppTest, lesson: Lesson, number: int) -> None:
    """The step's page shows what the step declares: its model, digit and every control it sets."""
    step = lesson.steps[number - 1]
    assert f"step {number} of {len(lesson.steps)}" in panel_text(at)
    assert loaded_model(at).name == step.state["model"]
    digit = step.state.get("digit", 4)
    if isinstance(digit, int):
        assert current_digit(at).test_index == digit
    else:
        assert current_digit(at).source == f"mean code of class {digit.split()[1]}"
    latent_dim = shipped_latent_dims()[step.state["model"]]
    for key, raw in step.state.items():
        if key in ("model", "digit"):
            continue
        expected = find_control(step.page, key, step.state["model"]).value(raw, latent_dim)
        actual = at.session_state[key]
        assert (tuple(actual) if isinstance(expected, tuple) else actual) == expected, (lesson.id, number, key)


@pytest.mark.parametrize("lesson", SHIPPED, ids=[lesson.id for lesson in SHIPPED])
def test_every_shipped_lesson_walks_end_to_end(lesson: Lesson) -> None:
    at = open_page(lesson.steps[0].page, lesson=lesson.id, step="1", timeout=120)
    for number in range(1, len(lesson.steps) + 1):
        assert not at.exception, (lesson.id, number, at.exception)
        shows_state(at, lesson, number)
        if number < len(lesson.steps):
            at.button(key="lesson_next").click().run()
    assert at.session_state[state_keys.MODEL] == lesson.steps[-1].state["model"]


def test_a_link_to_a_step_past_the_end_says_so(example_lessons: Path) -> None:
    at = open_page("reconstruct", lesson="blur", step="3")
    assert any("no lesson 'blur' with a step '3'" in w.value for w in at.warning)


def test_a_steps_link_keeps_the_digit_the_sender_had(example_lessons: Path) -> None:
    at = open_page("reconstruct", lesson="blur", step="1", digit="7", recon_samples="3")
    assert current_digit(at).test_index == 7 and at.slider(key="recon_samples").value == 3
    assert "step 1 of 2" in panel_text(at)
