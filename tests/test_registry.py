"""Listing the models: the picker's entries come from the cards, and each folder is loaded to check it only once
per version of its files, however often the app lists them again; a broken folder is listed with its error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.broken_models import GOOD_MODEL, broken_names
from tests.corpus import write_tiny_model
from vae_core import registry
from vae_core.checkpoint import LATENTS


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders registry.load is asked for, in order."""
    calls: list[str] = []
    real_load = registry.load

    def counting_load(path):
        calls.append(Path(path).name)
        return real_load(path)

    monkeypatch.setattr(registry, "load", counting_load)
    return calls


def test_listing_again_does_not_load_the_models_again(tmp_path: Path, loads: list[str]):
    write_tiny_model(tmp_path / "a-z2")
    write_tiny_model(tmp_path / "b-z3", latent_dim=3)
    first = registry.list_models(tmp_path)
    assert [(e.name, e.latent_dim, e.test_nll, e.error) for e in first] == [
        ("a-z2", 2, 543.2, None),
        ("b-z3", 3, 543.2, None),
    ]
    assert sorted(loads) == ["a-z2", "b-z3"]
    assert registry.list_models(tmp_path) == first
    assert sorted(loads) == ["a-z2", "b-z3"]


def test_a_file_changed_after_listing_is_checked_again(tmp_path: Path, loads: list[str]):
    folder = write_tiny_model(tmp_path / "tiny")
    assert registry.list_models(tmp_path)[0].error is None
    (folder / LATENTS).unlink()
    (entry,) = registry.list_models(tmp_path)
    assert loads == ["tiny", "tiny"]
    assert entry.error and str(folder / LATENTS) in entry.error


def test_list_models_reports_every_broken_folder_and_only_those(good_and_broken_models: Path):
    root = good_and_broken_models
    entries = {e.name: e for e in registry.list_models(root)}
    assert set(entries) == {GOOD_MODEL, *broken_names(root)}
    assert entries[GOOD_MODEL].error is None and entries[GOOD_MODEL].latent_dim == 2
    for name in broken_names(root):
        assert entries[name].error and str(root / name) in entries[name].error, name


def test_list_models_reads_the_folder_from_the_environment_at_call_time(good_and_broken_models: Path, monkeypatch):
    monkeypatch.setenv("VAE_PRETRAINED_DIR", str(good_and_broken_models))
    assert GOOD_MODEL in {e.name for e in registry.list_models()}


def test_the_objectives_lab_is_listed_after_the_vaes_with_its_objective_in_the_label(tmp_path: Path):
    for name, latent_dim in [("m-z3", 3), ("m-z2", 2), ("m-z2-beta4", 2), ("m-z2-ae", 2), ("m-z3-beta0.25", 3)]:
        write_tiny_model(tmp_path / name, latent_dim=latent_dim)
    for name, args in [("m-z2-beta4", {"objective": "vae", "beta": 4.0}), ("m-z2-ae", {"objective": "ae"}),
                       ("m-z3-beta0.25", {"objective": "vae", "beta": 0.25})]:
        card = json.loads((tmp_path / name / "card.json").read_text())
        card["training"] = {"args": args}
        (tmp_path / name / "card.json").write_text(json.dumps(card))
    entries = registry.list_models(tmp_path)
    assert [e.name for e in entries] == ["m-z2", "m-z3", "m-z2-ae", "m-z2-beta4", "m-z3-beta0.25"]
    assert [e.group for e in entries] == [registry.VAE_GROUP] * 2 + [registry.LAB_GROUP] * 3
    labels = {e.name: e.label for e in entries}
    assert labels["m-z2"] == "m-z2 (z=2, NLL 543.2)"
    assert labels["m-z2-ae"] == "m-z2-ae (autoencoder, z=2, NLL 543.2)"
    assert labels["m-z3-beta0.25"] == "m-z3-beta0.25 (β-VAE (β = 0.25), z=3, NLL 543.2)"
    ae = registry.load(tmp_path / "m-z2-ae")
    assert ae.is_autoencoder and ae.model.point_code and ae.objective == ("ae", 1.0)
    assert not registry.load(tmp_path / "m-z2").model.point_code
