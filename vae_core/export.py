"""The decoder as plain numbers, for decoding outside torch (the latent pad decodes in the browser)."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import torch
from torch import nn

from .model import ACTIVATIONS, VAE

# How each activation is written in the browser; a new entry in model.ACTIVATIONS needs one here too.
EXPORTABLE_ACTIVATIONS = {"gelu", "relu", "tanh", "softplus"}


def decoder_export(model: VAE) -> dict[str, Any]:
    """The decoder's weights as one compact little-endian float32 payload, with what is needed to use it.

    Returns {"activation", "latent_dim", "layers": [[in, out], ...], "payload": bytes, "sha1"}.
    `payload` holds, layer after layer, W (out, in) row-major and then b (out): the decoder is
    logits = W_n act(... act(W_1 z + b_1) ...) + b_n, and the pixel probabilities are sigmoid(logits).
    `sha1` names the payload, so a client can keep the weights it already has.
    """
    activation = model.config.activation
    if activation not in EXPORTABLE_ACTIVATIONS:
        raise ValueError(
            f"activation {activation!r} cannot be exported; supported: {sorted(EXPORTABLE_ACTIVATIONS)}"
        )
    linears = [m for m in model.decoder if isinstance(m, nn.Linear)]
    others = [m for m in model.decoder if not isinstance(m, nn.Linear | ACTIVATIONS[activation])]
    if others or len(linears) != len(model.config.hidden) + 1:
        raise ValueError(f"decoder is not an MLP of Linear and {activation} layers: {model.decoder}")
    parts = []
    with torch.no_grad():
        for layer in linears:
            parts.append(layer.weight.detach().cpu().float().numpy().ravel())
            parts.append(layer.bias.detach().cpu().float().numpy().ravel())
    payload = np.concatenate(parts).astype("<f4").tobytes()
    return {
        "activation": activation,
        "latent_dim": model.config.latent_dim,
        "layers": [[layer.in_features, layer.out_features] for layer in linears],
        "payload": payload,
        "sha1": hashlib.sha1(payload).hexdigest(),
    }
