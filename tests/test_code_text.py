"""vae_core.code_text: a latent code, or a picture, as the text of a URL parameter, and back."""

from __future__ import annotations

import base64
import re
import zlib

import numpy as np
import pytest
import torch

from vae_core.code_text import format_code, format_picture, parse_code, parse_picture
from vae_core.digits import load_test_digits


def test_parse_code_reads_comma_separated_numbers() -> None:
    assert torch.equal(parse_code("0.5, -1,2e-1", 3), torch.tensor([0.5, -1.0, 0.2]))


@pytest.mark.parametrize(
    ("text", "reason"),
    [("0.5", "expected 2 numbers, got 1"), ("1,2,3", "expected 2 numbers, got 3"), ("", "expected 2 numbers"),
     ("nan,1", "finite"), ("inf,1", "finite"), ("a,b", "numbers"), ("1,", "numbers"), ("1e9,0", "within"),
     ("-10.5,0", "within")],
)
def test_parse_code_rejects_malformed_codes_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_code(text, 2)


def test_parse_code_accepts_the_limits() -> None:
    assert parse_code("-10,10", 2).tolist() == [-10.0, 10.0]


def test_format_code_round_trips_through_parse_code_at_4_decimals() -> None:
    z = torch.tensor([0.123456, -1.0, 0.0, -0.00001, 3.5])
    text = format_code(z)
    assert text == "0.1235,-1,0,0,3.5"
    assert torch.allclose(parse_code(text, 5), z, atol=5e-5)


def test_format_picture_round_trips_an_8_bit_picture_exactly_in_a_few_hundred_characters() -> None:
    x = load_test_digits().grey(0)
    text = format_picture(x)
    assert len(text) < 400 and re.fullmatch(r"[A-Za-z0-9_-]+", text)  # URL-safe, no padding
    np.testing.assert_array_equal(parse_picture(text), x)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("%%%", "base64url"), ("AAAA", "compressed picture"),
     (base64.urlsafe_b64encode(zlib.compress(bytes(783))).decode(), "784 grey levels"),
     (base64.urlsafe_b64encode(zlib.compress(bytes(10_000_000))).decode(), "784 grey levels")],
)
def test_parse_picture_refuses_what_is_not_one_picture(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_picture(text)
