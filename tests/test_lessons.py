"""views.lessons: reading and checking lesson files in plain Python; a broken file is named with its step and
what to fix, and never stops the other lessons from loading."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from views import lessons
from views.lessons import LessonError, read_lesson, read_lessons

ROOT = Path(__file__).resolve().parent.parent
DOC_EXAMPLE = re.search(r"```yaml\n(.*?)```", (ROOT / "docs" / "lessons.md").read_text(), re.S).group(1)
GOOD_STEP = """
  - title: A step
    page: reconstruct
    state: {model: mnist-z2, digit: 4}
    narration: Some words.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def lesson_text(steps: str = GOOD_STEP, head: str = "title: T\nminutes: 5\nsummary: S\n") -> str:
    return head + "steps:" + steps


def test_the_documentations_example_is_a_valid_lesson(tmp_path: Path) -> None:
    lesson = read_lesson(write(tmp_path, "blur.yaml", DOC_EXAMPLE))
    assert (lesson.id, lesson.title, lesson.minutes, len(lesson.steps)) == ("blur", "Blur and the KL", 5, 2)
    first = lesson.steps[0]
    assert first.page == "reconstruct" and first.state["recon_samples"] == 6 and first.try_this
    assert first.question.choices == ("the reconstruction term", "the KL")
    assert lesson.steps[1].question.choices == ()  # a short answer


def test_every_shipped_lesson_is_valid() -> None:
    shipped, problems = read_lessons()
    assert not problems
    assert len(shipped) >= 3 and all(lesson.steps for lesson in shipped)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: [unclosed\n", r"bad\.yaml: not valid YAML at line \d"),
        (lesson_text(head="title: T\nsummary: S\n"), r"bad\.yaml: `minutes` must be a whole number"),
        (lesson_text(GOOD_STEP.replace("page: reconstruct", "page: nowhere")),
         r"bad\.yaml, step 1: `page` must be one of start, lessons, reconstruct"),
        (lesson_text(GOOD_STEP.replace("digit: 4}", "digit: 4, recon_samples: 9}")),
         r"bad\.yaml, step 1: recon_samples must be from 1 to 8, not 9"),
        (lesson_text(GOOD_STEP.replace("digit: 4}", "digit: 4, interp_steps: 5}")),
         r"bad\.yaml, step 1: the reconstruct page has no control `interp_steps`"),
        (lesson_text(GOOD_STEP.replace("model: mnist-z2, ", "")), r"bad\.yaml, step 1: `model` must be one of"),
        (lesson_text(GOOD_STEP.replace("digit: 4", "digit: 10000")), r"step 1: `digit` must be a test digit's index"),
        (lesson_text(GOOD_STEP.replace("    narration: Some words.\n", "")), r"step 1: `narration` must be some text"),
        (lesson_text(GOOD_STEP + "    colour: red\n"), r"step 1: unknown field\(s\) colour"),
        (lesson_text(GOOD_STEP + "    question:\n      ask: Why\n      choices: [a, b]\n      answer: c\n"),
         r"step 1: the question's `answer` must be one of its `choices`"),
        (lesson_text(GOOD_STEP + GOOD_STEP.replace("page: reconstruct", "page: mean").replace(
            "digit: 4}", "digit: 4, mean_shift_z2: 1.0}")),
         r"step 2: `mean_shift_z2`: mnist-z2 has no latent dimension z2"),
    ],
)
def test_a_broken_lesson_names_the_file_the_step_and_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LessonError, match=message):
        read_lesson(write(tmp_path, "bad.yaml", text))


def test_a_broken_file_is_reported_and_the_other_lessons_still_load(tmp_path: Path) -> None:
    write(tmp_path, "a-good.yaml", lesson_text())
    write(tmp_path, "b-broken.yaml", "title: [unclosed\n")
    write(tmp_path, "c-good.yaml", lesson_text())
    loaded, problems = read_lessons(tmp_path)
    assert [lesson.id for lesson in loaded] == ["a-good", "c-good"]
    assert len(problems) == 1 and problems[0].startswith("b-broken.yaml: not valid YAML")


def test_the_command_line_checker_reports_and_fails_on_a_broken_file(tmp_path: Path, capsys) -> None:
    good, bad = write(tmp_path, "good.yaml", lesson_text()), write(tmp_path, "bad.yaml", "steps: 3\n")
    assert lessons.main([str(good)]) == 0
    assert lessons.main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "ok    " in out and "ERROR bad.yaml: `steps` must be a list" in out


def test_reading_a_lesson_does_not_import_streamlit() -> None:
    import subprocess
    import sys

    code = "import sys, views.lessons; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
