"""Image input: every generated file either becomes an MNIST-like digit or fails with its specific message."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from tests.corpus import NO_DIGIT, bad_cases, corpus, encode, good_cases, seven
from tests.photos import DEFECTS, NOT_DIGITS, glyph_from_mnist, handwritten_digit, not_digit_photos, photograph
from vae_core.analysis import elbo_of_each, elbo_spread
from vae_core.digits import load_test_digits
from vae_core.preprocess import (
    DISPLAY_SIDE,
    MAX_PIXELS,
    STROKE_RANGE,
    STROKE_SCALE,
    ImageInputError,
    centre_by_mass,
    load_image,
    not_one_digit,
    stroke_width,
    to_mnist_style,
)
from vae_core.registry import load

GOOD = {c.name: c for c in good_cases()}
BAD = {c.name: c for c in bad_cases()}


def preprocess(data: bytes) -> np.ndarray:
    return to_mnist_style(load_image(data)).x


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted centre, in pixel indices: computed here independently of
    preprocess.centre_by_mass, so the check below does not trust the code it checks."""
    mass = image.sum()
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / mass), float((cols * image).sum() / mass)


def assert_mnist_like(x: np.ndarray) -> None:
    """(784,) float32 in [0, 1], ink centred by mass at (14, 14) and inside a 20x20 box."""
    assert x.shape == (784,) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.5
    img = x.reshape(28, 28)
    row, col = centre_of_mass(img)
    assert abs(row - 14) <= 1.0 and abs(col - 14) <= 1.0, (row, col)
    rows, cols = np.nonzero(img)
    assert np.ptp(rows) + 1 <= 20 and np.ptp(cols) + 1 <= 20


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def shape_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """`similarity` after a 3 x 3 box blur: a thin stroke shifted by a pixel (noise, JPEG, the centring's
    rounding) still counts as the same digit, a blob or the wrong mark does not."""
    def blurred(x: np.ndarray) -> np.ndarray:
        img = np.pad(x.reshape(28, 28), 1)
        return sum(img[r : r + 28, c : c + 28] for r in range(3) for c in range(3)).ravel()

    return similarity(blurred(a), blurred(b))


def test_corpus_is_large_enough_and_names_are_unique():
    names = [c.name for c in corpus()]
    assert len(names) >= 25 and len(set(names)) == len(names)


@pytest.mark.parametrize("case", good_cases(), ids=lambda c: c.name)
def test_good_file_becomes_a_centred_digit(case):
    result = to_mnist_style(load_image(case.data))
    assert_mnist_like(result.x)
    titles = [title for title, _ in result.steps]
    assert len(titles) == 7 and all(pic.dtype == np.uint8 for _, pic in result.steps)
    # Every step is shown as a tile in a row: square and small, however thin or huge the upload.
    assert all(1 <= pic.shape[0] == pic.shape[1] <= DISPLAY_SIDE for _, pic in result.steps)
    final = result.steps[-1][1]
    assert final.shape == (28, 28)
    np.testing.assert_array_equal(final, (result.x.reshape(28, 28) * 255 + 0.5).astype(np.uint8))


@pytest.mark.parametrize("case", [c for c in good_cases() if c.reference], ids=lambda c: c.name)
def test_same_digit_stored_another_way_gives_the_same_input(case):
    assert similarity(preprocess(case.data), preprocess(GOOD[case.reference].data)) > 0.95


@pytest.mark.parametrize("case", bad_cases(), ids=lambda c: c.name)
def test_bad_file_fails_with_its_message(case):
    with pytest.raises(ImageInputError, match=case.error):
        to_mnist_style(load_image(case.data))


def test_exif_orientation_is_applied():
    turned = GOOD["exif_rotated_jpeg"].data
    upright = preprocess(GOOD["upright_jpeg"].data)
    raw = Image.open(io.BytesIO(turned))  # the stored pixels, orientation tag ignored
    ignoring_exif = to_mnist_style(raw.convert("L")).x
    assert similarity(preprocess(turned), upright) > 0.95
    assert similarity(ignoring_exif, upright) < 0.6


def test_dark_ink_on_light_and_light_ink_on_dark_agree():
    dark_on_light = preprocess(encode(seven(ink=30, paper=230), "PNG"))
    light_on_dark = preprocess(encode(seven(ink=230, paper=30), "PNG"))
    np.testing.assert_allclose(dark_on_light, light_on_dark, atol=0.02)


def test_faint_specks_do_not_widen_the_crop():
    page = np.asarray(seven(), dtype=np.uint8).copy()
    page[2, 2] = page[-3, -3] = page[2, -3] = 235  # specks at 8% of the ink range, far from the digit
    clean = preprocess(GOOD["png"].data)
    assert similarity(preprocess(encode(Image.fromarray(page), "PNG")), clean) > 0.99


def test_truncated_file_flag_stays_off_and_global_limits_unchanged():
    filters_before = list(warnings.filters)
    for name in ("truncated_png", "bomb_header_10000", "bomb_header_30000"):
        with pytest.raises(ImageInputError):
            load_image(BAD[name].data)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert Image.MAX_IMAGE_PIXELS == 89478485 and Image.MAX_IMAGE_PIXELS > MAX_PIXELS
    assert list(warnings.filters) == filters_before


def test_byte_limit_is_a_parameter():
    data = GOOD["png"].data
    with pytest.raises(ImageInputError, match="the limit is 0 MB"):
        load_image(data, max_bytes=len(data) - 1)
    assert load_image(data, max_bytes=len(data)).size == (200, 200)


def test_pixel_limit_is_checked_before_decoding():
    side = int(MAX_PIXELS**0.5) + 1
    with pytest.raises(ImageInputError, match=f"{side} x {side} pixels"):
        load_image(encode(Image.new("1", (side, side), 1), "PNG"))


def test_centre_by_mass_keeps_the_patch_inside_the_field():
    patch = np.zeros((20, 20), dtype=np.float32)
    patch[0] = 1.0  # all mass on the top row: centring it exactly would push the patch out
    field = centre_by_mass(patch)
    assert field.sum() == patch.sum()
    assert field[8:28].sum() == patch.sum()


def rgba_drawing(background: tuple[int, int, int, int], ink: tuple[int, int, int, int] | None) -> Image.Image:
    """An RGBA picture as drawing programs save one (280 x 280), optionally with a '7' drawn."""
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)
    rgba[:] = background
    if ink is not None:
        mask = np.asarray(seven(size=(280, 280), ink=255, paper=0, width=18)) > 0
        rgba[mask] = ink
    return Image.fromarray(rgba)


@pytest.mark.parametrize(
    ("background", "ink"),
    [
        ((0, 0, 0, 0), (255, 255, 255, 255)),  # transparent canvas, light stroke: the ink is only in alpha
        ((0, 0, 0, 0), (0, 0, 0, 255)),  # transparent canvas, black stroke
        ((255, 255, 255, 255), (0, 0, 0, 255)),  # white background, black ink in RGB
        ((0, 0, 0, 255), (255, 255, 255, 255)),  # black background, white ink: what the view uses
    ],
    ids=["alpha_ink", "black_on_transparent", "black_on_white", "white_on_black"],
)
def test_rgba_drawing_becomes_the_same_digit_as_a_plain_upload(background, ink):
    x = to_mnist_style(rgba_drawing(background, ink)).x
    assert_mnist_like(x)
    assert similarity(x, preprocess(GOOD["png"].data)) > 0.9


@pytest.mark.parametrize("background", [(0, 0, 0, 0), (255, 255, 255, 255), (0, 0, 0, 255)],
                         ids=["transparent", "white", "black"])
def test_empty_rgba_drawing_says_no_digit(background):
    with pytest.raises(ImageInputError, match=NO_DIGIT):
        to_mnist_style(rgba_drawing(background, None))


# Phone photos (tests/photos.py): the same MNIST test digit photographed clean and with one defect must give
# nearly the same input; a tilted sheet turns the digit itself, so it may differ more.
PHOTO_DIGITS_ALL = load_test_digits().images
PHOTO_DIGITS = PHOTO_DIGITS_ALL[:4]
AGREEMENT = {"tilt": 0.6}


@pytest.mark.parametrize("defect", DEFECTS)
def test_a_photo_defect_leaves_the_digit_as_on_a_clean_photo(defect):
    for i, image in enumerate(PHOTO_DIGITS):
        glyph = glyph_from_mnist(image, 200)
        clean = preprocess(photograph(glyph, np.random.default_rng(i), (), "black"))
        with_defect = preprocess(photograph(glyph, np.random.default_rng(i), (defect,), "blue"))
        assert shape_similarity(clean, with_defect) > AGREEMENT.get(defect, 0.8), (defect, i)


def test_a_dark_desk_edge_does_not_swap_ink_and_paper():
    glyph = glyph_from_mnist(PHOTO_DIGITS[0], 200)
    result = to_mnist_style(load_image(photograph(glyph, np.random.default_rng(5), ("desk",), "black")))
    assert result.steps[1][0].startswith("light paper found")
    assert any("edge" in reason for reason in result.findings.reasons)
    assert not_one_digit(result) is None


@pytest.mark.parametrize("kind", [k for k in NOT_DIGITS if k != "doodle"])
def test_a_non_digit_is_refused_or_gets_a_reason_from_the_page_alone(kind):
    for photo in not_digit_photos(seed=1, per_kind=2):
        if photo.name.startswith(kind):
            try:
                result = to_mnist_style(load_image(photo.data))
            except ImageInputError as e:
                assert NO_DIGIT in str(e)
                continue
            assert not_one_digit(result), photo.name


def test_a_doodle_gets_a_reason_from_the_models_elbo():
    """A doodle is one mark like a digit: only the model says it is atypical (z20, as the app's default)."""
    model = load(Path(__file__).resolve().parent.parent / "pretrained" / "mnist-z20").model
    spread = elbo_spread(elbo_of_each(model, PHOTO_DIGITS_ALL.reshape(-1, 784)[:2000] / np.float32(255)))
    for photo in not_digit_photos(seed=1, per_kind=3):
        if photo.name.startswith("doodle"):
            result = to_mnist_style(load_image(photo.data))
            elbo = float(elbo_of_each(model, result.x[None])[0])
            assert not_one_digit(result, spread.share_below(elbo)), photo.name


def test_clean_digit_photos_get_no_warning():
    for i, image in enumerate(PHOTO_DIGITS):
        result = to_mnist_style(load_image(photograph(glyph_from_mnist(image, 200), np.random.default_rng(i), ())))
        assert not_one_digit(result, 0.5) is None


def test_dark_ink_is_told_from_a_desk_a_gradient_and_a_shadow_together():
    """Twenty photos with all three; one of them swapped ink and paper before."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        data = photograph(handwritten_digit(seed % 10, 220, rng), rng, ("desk", "gradient", "shadow"), "red")
        assert to_mnist_style(load_image(data)).steps[1][0].startswith("light paper found"), seed


def test_a_pencil_digit_beside_a_dark_desk_is_kept():
    """The desk is far darker than pencil: the pen's darkness is judged away from it, so the digit is not 'faint'."""
    for seed in range(12):
        glyph = handwritten_digit(seed % 10, 200, np.random.default_rng(100 + seed))
        clean = preprocess(photograph(glyph, np.random.default_rng(seed), (), "pencil"))
        with_desk = preprocess(photograph(glyph, np.random.default_rng(seed), ("desk",), "pencil"))
        assert shape_similarity(clean, with_desk) > 0.8, seed


@pytest.mark.parametrize("pen", [0.015, 0.2])  # a fine ballpoint and a marker, as shares of a digit 300 px tall
def test_a_fine_or_a_broad_pen_gives_strokes_as_wide_as_mnists(pen):
    for digit in (0, 4, 8):
        rng = np.random.default_rng(digit)
        result = to_mnist_style(load_image(photograph(handwritten_digit(digit, 300, rng, pen), rng, (), "black",
                                                      (800, 600))))
        assert "made MNIST's" in result.steps[5][0]
        side = STROKE_SCALE * 28  # measured as MNIST_STROKE was: the 28 x 28 input enlarged
        enlarged = Image.fromarray(result.x.reshape(28, 28)).resize((side, side), Image.Resampling.BILINEAR)
        assert STROKE_RANGE[0] <= stroke_width(np.asarray(enlarged)) <= STROKE_RANGE[1], (pen, digit)
