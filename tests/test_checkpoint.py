"""Model folders: weights and card survive a round trip, nothing is unpickled, writes are atomic; each way a
folder can be unusable raises CheckpointError naming the file."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import torch

from tests.broken_models import BREAKAGES, LATENT_BREAKAGES
from tests.corpus import write_tiny_model
from vae_core.checkpoint import (
    CARD,
    FORMAT,
    LATENTS,
    WEIGHTS,
    CheckpointError,
    atomic_save_tensors,
    load_latents,
    load_model,
    save_model,
    sha256_file,
)
from vae_core.model import VAE, VAEConfig
from vae_core.registry import load


@pytest.fixture
def model() -> VAE:
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=2, hidden=(16,), activation="relu")).eval()


def test_save_then_load_gives_identical_outputs(model: VAE, tmp_path: Path):
    save_model(tmp_path, model, {"note": "test"})
    loaded, _ = load_model(tmp_path)
    assert loaded.config == model.config
    assert not loaded.training
    x, z = torch.rand(5, 784), torch.randn(5, 2)
    with torch.no_grad():
        assert torch.equal(loaded.encode(x).mu, model.encode(x).mu)
        assert torch.equal(loaded.encode(x).logvar, model.encode(x).logvar)
        assert torch.equal(loaded.decode(z), model.decode(z))
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name


def test_card_records_format_config_and_weights_sha256(model: VAE, tmp_path: Path):
    returned = save_model(tmp_path, model, {"training": {"epochs": 3}})
    card = json.loads((tmp_path / CARD).read_text())
    assert card == returned
    assert card["format"] == FORMAT
    assert card["config"] == {"latent_dim": 2, "hidden": [16], "activation": "relu", "input_dim": 784}
    assert card["weights_sha256"] == sha256_file(tmp_path / WEIGHTS)
    assert card["training"] == {"epochs": 3}
    _, loaded_card = load_model(tmp_path)
    assert loaded_card == card


def test_load_model_never_unpickles(model: VAE, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    save_model(tmp_path, model, {})

    def refuse(*args, **kwargs):
        raise AssertionError("load_model must not unpickle anything")

    class RefusingUnpickler:
        def __init__(self, *args, **kwargs):
            refuse()

    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", RefusingUnpickler)
    loaded, _ = load_model(tmp_path)
    with pytest.raises(AssertionError):  # the patches are live: anything that unpickled would have failed
        torch.load(tmp_path / WEIGHTS)
    assert torch.equal(loaded.decode(torch.zeros(1, 2)), model.decode(torch.zeros(1, 2)))


def test_weights_file_is_plain_safetensors(model: VAE, tmp_path: Path):
    from safetensors.torch import load_file

    save_model(tmp_path, model, {})
    assert set(load_file(str(tmp_path / WEIGHTS))) == set(model.state_dict())


def test_writes_leave_no_temporary_files(model: VAE, tmp_path: Path):
    save_model(tmp_path, model, {"run": 1})
    save_model(tmp_path, model, {"run": 2})  # overwriting, too
    atomic_save_tensors({"test_mu": torch.zeros(3, 2)}, tmp_path / LATENTS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([CARD, WEIGHTS, LATENTS])
    assert json.loads((tmp_path / CARD).read_text())["run"] == 2


def test_a_failed_weights_write_keeps_the_previous_file(model: VAE, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    save_model(tmp_path, model, {})
    before = (tmp_path / WEIGHTS).read_bytes()
    import vae_core.checkpoint as checkpoint

    def crash(tensors, path, metadata=None):
        Path(path).write_bytes(b"half a fi")  # the temp file is half written when the crash comes
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint, "save_file", crash)
    with pytest.raises(OSError):
        save_model(tmp_path, model, {})
    assert (tmp_path / WEIGHTS).read_bytes() == before
    load_model(tmp_path)  # the folder is still usable


def test_load_latents_round_trips_tensors(tmp_path: Path):
    stats = {"test_mu": torch.randn(4, 2), "test_labels": torch.arange(4, dtype=torch.uint8)}
    atomic_save_tensors(stats, tmp_path / LATENTS)
    loaded = load_latents(tmp_path)
    assert set(loaded) == set(stats)
    for name, tensor in stats.items():
        assert torch.equal(loaded[name], tensor)


# --- broken folders ----------------------------------------------------------------------------------------------


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
