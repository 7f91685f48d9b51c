"""Broken model folders: each way a folder can be unusable raises CheckpointError naming the file, and the
app warns about every broken model while it keeps serving the good one."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from corpus import write_tiny_model
from streamlit.testing.v1 import AppTest

from vae_core.checkpoint import CARD, LATENTS, WEIGHTS, CheckpointError, load_latents, load_model
from vae_core.registry import list_models, load

ROOT = Path(__file__).resolve().parent.parent


def edit_card(folder: Path, change: Callable[[dict], None]) -> None:
    card = json.loads((folder / CARD).read_text())
    change(card)
    (folder / CARD).write_text(json.dumps(card))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))


def truncate_without_hash(folder: Path) -> None:
    edit_card(folder, lambda c: c.pop("weights_sha256"))
    truncate(folder / WEIGHTS)


# name -> (how to break a good folder, the file the message must name, a part of the message)
BREAKAGES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "missing-weights": (lambda f: (f / WEIGHTS).unlink(), WEIGHTS, "is missing"),
    "missing-card": (lambda f: (f / CARD).unlink(), CARD, "is missing"),
    "truncated-weights": (lambda f: truncate(f / WEIGHTS), WEIGHTS, "does not match the SHA-256"),
    "truncated-weights-no-hash": (truncate_without_hash, WEIGHTS, "is not a readable safetensors file"),
    "tampered-weights": (lambda f: flip_bytes(f / WEIGHTS), WEIGHTS, "does not match the SHA-256"),
    "malformed-card": (lambda f: (f / CARD).write_text('{"format": "vae-explorer/1", '), CARD, "is not valid JSON"),
    "card-not-an-object": (lambda f: (f / CARD).write_text("[1, 2]"), CARD, "should hold a JSON object"),
    "config-disagrees-with-weights": (
        lambda f: edit_card(f, lambda c: c["config"].update(latent_dim=3)), WEIGHTS, "does not fit the config"
    ),
    "unusable-config": (lambda f: edit_card(f, lambda c: c["config"].update(colour="red")), CARD, "no usable 'config'"),
    "unknown-format": (lambda f: edit_card(f, lambda c: c.update(format="vae-explorer/99")), CARD, "has format"),
}
LATENT_BREAKAGES: dict[str, Callable[[Path], None]] = {
    "missing-latents": lambda f: (f / LATENTS).unlink(),
    "truncated-latents": lambda f: truncate(f / LATENTS),
}


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_tiny_model(tmp_path / "tiny")


def test_the_good_folder_loads(good: Path):
    model, card = load_model(good)
    assert model.config.latent_dim == 2 and card["format"] == "vae-explorer/1"
    assert load(good).latents["class_centroids"].shape == (10, 2)


@pytest.mark.parametrize("name", BREAKAGES)
def test_broken_folder_raises_checkpoint_error_naming_the_file(good: Path, name: str):
    breaker, file, message = BREAKAGES[name]
    breaker(good)
    with pytest.raises(CheckpointError) as info:
        load_model(good)
    assert str(good / file) in str(info.value) and message in str(info.value)


@pytest.mark.parametrize("name", LATENT_BREAKAGES)
def test_broken_latents_raise_checkpoint_error_naming_the_file(good: Path, name: str):
    LATENT_BREAKAGES[name](good)
    with pytest.raises(CheckpointError, match=LATENTS):
        load_latents(good)
    with pytest.raises(CheckpointError, match=LATENTS):
        load(good)


@pytest.fixture(scope="module")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good tiny model and one folder for every way of breaking it (read only by the tests below)."""
    root = tmp_path_factory.mktemp("models")
    write_tiny_model(root / "good-z2")
    for name, (breaker, _, _) in BREAKAGES.items():
        breaker(write_tiny_model(root / f"broken-{name}"))
    for name, breaker in LATENT_BREAKAGES.items():
        breaker(write_tiny_model(root / f"broken-{name}"))
    return root


def broken_names(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("broken-"))


def test_list_models_reports_every_broken_folder_and_only_those(model_root: Path):
    entries = {e.name: e for e in list_models(model_root)}
    assert set(entries) == {"good-z2", *broken_names(model_root)}
    assert entries["good-z2"].error is None and entries["good-z2"].latent_dim == 2
    for name in broken_names(model_root):
        assert entries[name].error and str(model_root / name) in entries[name].error, name


def test_list_models_reads_the_folder_from_the_environment_at_call_time(model_root: Path, monkeypatch):
    monkeypatch.setenv("VAE_PRETRAINED_DIR", str(model_root))
    assert "good-z2" in {e.name for e in list_models()}


@pytest.fixture
def app_on(model_root: Path) -> Iterator[Path]:
    """The app pointed at `model_root`; Streamlit's process-wide caches are emptied before and after."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VAE_PRETRAINED_DIR", str(model_root))
        st.cache_data.clear()
        st.cache_resource.clear()
        yield model_root
    st.cache_data.clear()
    st.cache_resource.clear()


def test_app_warns_about_each_broken_model_and_serves_the_good_one(app_on: Path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    warnings = "\n".join(w.value for w in at.sidebar.warning)
    for name in broken_names(app_on):
        assert f"**{name}**" in warnings, f"no warning for {name}"
    picker = at.selectbox(key="model")
    assert picker.options == ["good-z2"] and at.session_state["model"] == "good-z2"  # bare names: they go in the URL
    assert "good-z2 (z=2, NLL 543.2)" in [c.value for c in at.sidebar.caption]
    assert not at.main.error
    assert {m.label for m in at.main.metric} >= {"ELBO", "log p(x|z)", "KL"}  # the default page works
