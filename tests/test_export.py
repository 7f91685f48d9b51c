"""vae_core.export: the decoder and encoder as float32 payloads that a browser can run (see views/live/model.js)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from vae_core.export import EXPORTABLE_ACTIVATIONS, MAGIC, browser_message, decoder_export, encoder_export
from vae_core.model import ACTIVATIONS, VAE, VAEConfig


def decode_from_export(export: dict, z: np.ndarray) -> np.ndarray:
    """The decoder rebuilt from the payload alone, as pad.js reads it: per layer W (out, in) row-major, then b."""
    floats = np.frombuffer(export["payload"], dtype="<f4")
    act = ACTIVATIONS[export["activation"]]()
    x, at = torch.from_numpy(z.astype(np.float32)), 0
    for i, (n_in, n_out) in enumerate(export["layers"]):
        w = torch.from_numpy(floats[at : at + n_in * n_out].reshape(n_out, n_in).copy())
        at += n_in * n_out
        b = torch.from_numpy(floats[at : at + n_out].copy())
        at += n_out
        x = x @ w.T + b
        x = torch.sigmoid(x) if i == len(export["layers"]) - 1 else act(x)
    assert at == floats.size, "the payload holds exactly the layers' weights and biases"
    return x.numpy()


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_payload_decodes_like_the_model(activation: str) -> None:
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=3, hidden=(16, 8), activation=activation)).eval()
    export = decoder_export(model)
    assert export["activation"] == activation and export["latent_dim"] == 3
    assert export["layers"] == [[3, 8], [8, 16], [16, 784]]
    z = np.random.default_rng(0).normal(size=(5, 3))
    with torch.inference_mode():
        expected = model.decode(torch.from_numpy(z).float()).numpy()
    np.testing.assert_allclose(decode_from_export(export, z), expected, atol=1e-6)


def test_the_payload_name_changes_with_the_weights() -> None:
    model = VAE(VAEConfig(latent_dim=2, hidden=(8,)))
    before = decoder_export(model)["sha1"]
    with torch.no_grad():
        model.decoder[0].bias.add_(1.0)
    assert decoder_export(model)["sha1"] != before


def test_an_activation_the_browser_cannot_run_is_rejected() -> None:
    model = VAE(VAEConfig(latent_dim=2, hidden=(8,)))
    object.__setattr__(model.config, "activation", "selu")  # as if ACTIVATIONS grew an entry pad.js lacks
    with pytest.raises(ValueError, match="cannot be exported"):
        decoder_export(model)


def test_the_browser_implements_every_activation_a_model_can_have() -> None:
    js = (Path(__file__).resolve().parent.parent / "views" / "live" / "model.js").read_text()
    in_js = set(re.findall(r"^  (\w+): ", js.split("const ACTIVATIONS = {")[1].split("};")[0], re.M))
    assert EXPORTABLE_ACTIVATIONS == set(ACTIVATIONS) == in_js


def test_a_browser_message_holds_one_network_after_an_aligned_header() -> None:
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=3, hidden=(16, 8)))
    for part, export in (("decoder", decoder_export(model)), ("encoder", encoder_export(model))):
        sha1, message = browser_message(model, part)
        assert message[:4] == MAGIC
        length = int.from_bytes(message[4:8], "little")
        header = json.loads(message[8 : 8 + length])
        assert (8 + length) % 4 == 0 and header["sha1"] == sha1 == export["sha1"] and header["part"] == part
        assert header["layers"] == export["layers"] and message[8 + length :] == export["payload"]
    assert encoder_export(model)["layers"] == [[784, 16], [16, 8], [8, 6]]  # mu and log sigma^2 of 3 dimensions
    with pytest.raises(ValueError, match="decoder"):
        browser_message(model, "both")
