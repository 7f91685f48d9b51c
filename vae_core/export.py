"""The model as plain numbers, for running it outside torch: the browser decodes (every live picture) and encodes
(a drawing while it is drawn) with these weights. This module is the one owner of that weight format; the browser's
reader is views/live/model.js."""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

import numpy as np
import torch
from torch import nn

from .model import ACTIVATIONS, VAE

# How each activation is written in the browser; a new entry in model.ACTIVATIONS needs one here too.
EXPORTABLE_ACTIVATIONS = {"gelu", "relu", "tanh", "softplus"}
MAGIC = b"VAEm"  # model.js checks it before reading the weights


def _mlp_export(mlp: nn.Sequential, activation: str, n_hidden: int) -> tuple[list[list[int]], bytes]:
    """([[in, out], ...], payload) of one MLP: per layer W (out, in) row-major, then b (out), little-endian float32."""
    linears = [m for m in mlp if isinstance(m, nn.Linear)]
    others = [m for m in mlp if not isinstance(m, nn.Linear | ACTIVATIONS[activation])]
    if others or len(linears) != n_hidden + 1:
        raise ValueError(f"not an MLP of Linear and {activation} layers: {mlp}")
    parts = []
    with torch.no_grad():
        for layer in linears:
            parts.append(layer.weight.detach().cpu().float().numpy().ravel())
            parts.append(layer.bias.detach().cpu().float().numpy().ravel())
    return [[m.in_features, m.out_features] for m in linears], np.concatenate(parts).astype("<f4").tobytes()


def _check_activation(model: VAE) -> str:
    activation = model.config.activation
    if activation not in EXPORTABLE_ACTIVATIONS:
        raise ValueError(
            f"activation {activation!r} cannot be exported; supported: {sorted(EXPORTABLE_ACTIVATIONS)}"
        )
    return activation


def decoder_export(model: VAE) -> dict[str, Any]:
    """The decoder's weights as one compact little-endian float32 payload, with what is needed to use it.

    Returns {"activation", "latent_dim", "layers": [[in, out], ...], "payload": bytes, "sha1"}.
    `payload` holds, layer after layer, W (out, in) row-major and then b (out): the decoder is
    logits = W_n act(... act(W_1 z + b_1) ...) + b_n, and the pixel probabilities are sigmoid(logits).
    """
    activation = _check_activation(model)
    layers, payload = _mlp_export(model.decoder, activation, len(model.config.hidden))
    return {"activation": activation, "latent_dim": model.config.latent_dim, "layers": layers, "payload": payload,
            "sha1": hashlib.sha1(payload).hexdigest()}


def encoder_export(model: VAE) -> dict[str, Any]:
    """The encoder like decoder_export: x (784 grey levels in [0, 1]) -> W_n act(...) + b_n = 2 * latent_dim outputs,
    mu the first half and log sigma^2 the second (VAE.encode)."""
    activation = _check_activation(model)
    layers, payload = _mlp_export(model.encoder, activation, len(model.config.hidden))
    return {"activation": activation, "latent_dim": model.config.latent_dim, "layers": layers, "payload": payload,
            "sha1": hashlib.sha1(payload).hexdigest()}


def browser_message(model: VAE, part: str = "decoder") -> tuple[str, bytes]:
    """(sha1, bytes) of one network of the model for the browser, `part` "decoder" or "encoder" (each page gets
    only what it runs: the encoder only where a drawing is encoded): MAGIC, uint32 header length, a JSON header
    padded so the payload starts 4-byte aligned, then the payload (see decoder_export).

    The header is {"activation", "latent_dim", "part", "layers", "sha1"}; `sha1` names the payload, so a browser
    keeps the weights it already has and a page can name the network it needs."""
    exports = {"decoder": decoder_export, "encoder": encoder_export}
    if part not in exports:
        raise ValueError(f"part must be 'decoder' or 'encoder', not {part!r}")
    export = exports[part](model)
    header = json.dumps({"activation": export["activation"], "latent_dim": export["latent_dim"], "part": part,
                         "layers": export["layers"], "sha1": export["sha1"]}).encode()
    header += b" " * (-(len(MAGIC) + 4 + len(header)) % 4)
    return export["sha1"], MAGIC + struct.pack("<I", len(header)) + header + export["payload"]
