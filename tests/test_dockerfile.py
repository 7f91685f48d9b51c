"""The Dockerfile builds a small, non-root, CPU-only image of the app (checked by reading it; no Docker needed)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            out.append((keyword.upper(), args.strip()))
    return out


def args_of(keyword: str) -> list[str]:
    return [args for k, args in instructions() if k == keyword]


def exec_form(args: str) -> list[str]:
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def test_base_image_is_python_311_slim() -> None:
    assert args_of("FROM") == ["python:3.11-slim"]


def test_the_app_runs_as_a_user_other_than_root() -> None:
    users = args_of("USER")
    assert users, "no USER instruction: the app would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_healthcheck_asks_streamlits_health_endpoint() -> None:
    (check,) = args_of("HEALTHCHECK")
    assert "CMD" in check and "http://localhost:8501/_stcore/health" in check


def test_exposes_streamlits_port() -> None:
    assert "8501" in " ".join(args_of("EXPOSE")).split()


def test_cmd_runs_streamlit_on_app_py() -> None:
    cmd = exec_form(args_of("CMD")[-1])
    assert cmd[:3] == ["streamlit", "run", "app.py"]


def test_torch_comes_from_the_cpu_wheel_index() -> None:
    runs = " ".join(args_of("RUN"))
    assert "download.pytorch.org/whl/cpu" in runs and "torch==" in runs


def test_every_copied_path_exists_in_the_repository() -> None:
    copies = args_of("COPY")
    assert copies
    for args in copies:
        *sources, _dest = [a for a in exec_form(args) if not a.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "artifacts"} <= ignored


def test_the_image_holds_everything_the_app_reads_at_run_time() -> None:
    """The app's code, the models, the shipped test digits and the lessons (a missing one is found only when a
    visitor opens a page, so it is checked here)."""
    copied = {source.rstrip("/") for args in args_of("COPY")
              for source in [a for a in exec_form(args) if not a.startswith("--")][:-1]}
    assert {"app.py", "views", "vae_core", "pretrained", "lessons", ".streamlit"} <= copied
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert not any(line.strip().rstrip("/") in ("lessons", "pretrained", "*.npz") for line in ignored)
