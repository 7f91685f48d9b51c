"""Lessons: guided walks through the app, one YAML file each in lessons/ (the format: docs/lessons.md).

A step names a page and its state, the same state a shared link carries (model, seed, the digit, the page's
controls); everything it leaves out starts at its default. Reading and checking a lesson is plain Python (no
Streamlit), so a teacher can check a file from the command line:

    python -m views.lessons lessons/my-lesson.yaml        # or: make lesson-check
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vae_core.digits import N_TEST
from vae_core.registry import list_models

from .controls import PAGE_CONTROLS, find_control

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
STEP_FIELDS = {"title", "page", "state", "narration", "try", "question"}
QUESTION_FIELDS = {"ask", "choices", "answer", "explain"}
SIDEBAR_KEYS = {"model", "digit"}  # set on every page; the other sidebar controls are in views.controls
MEAN_DIGIT = re.compile(r"mean (\d)")  # `digit: mean 3`: the decoded mean code of class 3


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file, the step and what to fix."""


@dataclass(frozen=True)
class Question:
    ask: str
    answer: str
    choices: tuple[str, ...] = ()  # empty: a short answer
    explain: str = ""


@dataclass(frozen=True)
class Step:
    title: str
    page: str  # a url_path
    state: dict[str, Any]  # link parameter -> value, as written in the file
    narration: str
    try_this: str = ""
    question: Question | None = None


@dataclass(frozen=True)
class Lesson:
    id: str  # the file's name without .yaml; also the `lesson=` of a step's link
    title: str
    minutes: int
    summary: str
    steps: tuple[Step, ...]


def _text(raw: Any, where: str, field: str, required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str | int | float) or not str(raw).strip():
        raise LessonError(f"{where}: `{field}` must be some text")
    return str(raw).strip()


def _question(raw: Any, where: str) -> Question | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: `question` must have `ask` and `answer` (and optionally `choices`, `explain`)")
    if unknown := set(raw) - QUESTION_FIELDS:
        raise LessonError(f"{where}: unknown question field(s) {', '.join(sorted(unknown))}")
    choices = raw.get("choices") or []
    if not isinstance(choices, list) or len(choices) == 1:
        raise LessonError(f"{where}: the question's `choices` must be a list of at least two answers")
    question = Question(_text(raw.get("ask"), where, "question: ask"), _text(raw.get("answer"), where,
                        "question: answer"), tuple(str(c) for c in choices), _text(raw.get("explain"), where,
                        "question: explain", required=False))
    if question.choices and question.answer not in question.choices:
        raise LessonError(f"{where}: the question's `answer` must be one of its `choices`")
    return question


def check_state(page: str, state: Any, where: str, latent_dims: dict[str, int]) -> dict[str, Any]:
    """The step's state, checked against the page's controls; LessonError says what to fix."""
    if not isinstance(state, dict):
        raise LessonError(f"{where}: `state` must map link parameters to values, e.g. model: mnist-z2")
    model = state.get("model")
    if model not in latent_dims:
        raise LessonError(f"{where}: `model` must be one of {', '.join(sorted(latent_dims))}; not {model!r}")
    for key, raw in state.items():
        if key == "model":
            continue
        if key == "digit":
            check_digit(raw, where)
            continue
        control = find_control(page, key, model)
        if control is None:
            raise LessonError(f"{where}: the {page} page has no control `{key}`")
        if "{d}" in control.key and int(re.search(r"\d+$", key).group()) >= latent_dims[model]:
            raise LessonError(f"{where}: `{key}`: {model} has no latent dimension z{key.rsplit('z', 1)[-1]}")
        try:
            control.value(raw, latent_dims[model])
        except ValueError as e:
            raise LessonError(f"{where}: {e}") from None
    return dict(state)


def check_digit(raw: Any, where: str) -> None:
    """`digit` is a test digit's index (0-9999) or `mean c`, the class-mean code of class c."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < N_TEST:
        return
    if isinstance(raw, str) and MEAN_DIGIT.fullmatch(raw):
        return
    raise LessonError(f"{where}: `digit` must be a test digit's index (0 to {N_TEST - 1}) or `mean c`; not {raw!r}")


def read_lesson(path: Path, latent_dims: dict[str, int] | None = None) -> Lesson:
    """Read and check one lesson file; LessonError names the file, the step and what to fix."""
    if latent_dims is None:
        latent_dims = shipped_latent_dims()
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise LessonError(f"{name}: cannot be read ({e.strerror})") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise LessonError(f"{name}: not valid YAML{at} ({getattr(e, 'problem', e)})") from None
    if not isinstance(raw, dict):
        raise LessonError(f"{name}: expected `title`, `minutes`, `summary` and `steps` at the top")
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        raise LessonError(f"{name}: `steps` must be a list of at least one step")
    minutes = raw.get("minutes")
    if not isinstance(minutes, int) or minutes <= 0:
        raise LessonError(f"{name}: `minutes` must be a whole number of minutes")
    lesson_steps = []
    for i, step in enumerate(steps, 1):
        where = f"{name}, step {i}"
        if not isinstance(step, dict):
            raise LessonError(f"{where}: a step needs `title`, `page`, `state` and `narration`")
        if unknown := set(step) - STEP_FIELDS:
            raise LessonError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        page = step.get("page")
        if page not in PAGE_CONTROLS:
            raise LessonError(f"{where}: `page` must be one of {', '.join(PAGE_CONTROLS)}; not {page!r}")
        lesson_steps.append(Step(
            title=_text(step.get("title"), where, "title"),
            page=page,
            state=check_state(page, step.get("state"), where, latent_dims),
            narration=_text(step.get("narration"), where, "narration"),
            try_this=_text(step.get("try"), where, "try", required=False),
            question=_question(step.get("question"), where),
        ))
    return Lesson(path.stem, _text(raw.get("title"), name, "title"), minutes, _text(raw.get("summary"), name,
                  "summary"), tuple(lesson_steps))


def shipped_latent_dims() -> dict[str, int]:
    """Model name -> latent size of every usable model."""
    return {e.name: e.latent_dim for e in list_models() if not e.error}


def read_lessons(folder: Path = LESSONS_DIR) -> tuple[list[Lesson], list[str]]:
    """Every lesson in `folder`, in file-name order, and a message for each file that cannot be used."""
    lessons, problems = [], []
    latent_dims = shipped_latent_dims()
    for path in sorted(folder.glob("*.yaml")):
        try:
            lessons.append(read_lesson(path, latent_dims))
        except LessonError as e:
            problems.append(str(e))
    return lessons, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m views.lessons", description="Check lesson files.")
    parser.add_argument("files", nargs="*", type=Path, help=f"lesson files (default: every file in {LESSONS_DIR})")
    args = parser.parse_args(argv)
    files = args.files or sorted(LESSONS_DIR.glob("*.yaml"))
    latent_dims, failed = shipped_latent_dims(), 0
    for path in files:
        try:
            lesson = read_lesson(path, latent_dims)
            print(f"ok    {path}: {lesson.title!r}, {len(lesson.steps)} steps, about {lesson.minutes} min")
        except LessonError as e:
            failed += 1
            print(f"ERROR {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
