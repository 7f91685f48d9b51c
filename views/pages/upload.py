"""Upload & draw: your own digit, made MNIST-like step by step, then encoded and reconstructed."""

from __future__ import annotations

import streamlit as st

from vae_core.analysis import describe_digit
from vae_core.drawing import canvas_ink, drawing_to_mnist
from vae_core.preprocess import (
    FORMATS_TEXT,
    MAX_BYTES,
    ImageInputError,
    PreprocessResult,
    load_image,
    not_one_digit,
    to_mnist_style,
)
from vae_core.registry import LoadedModel

from .. import state_keys
from ..common import (
    autoencoder_notice,
    current_model,
    dimension_select,
    elbo_spread_of_test_digits,
    seed,
    set_digit,
)
from ..live import draw_watch
from ..pictures import show_picture

# The user's last usable upload (or photo) and drawing: (PreprocessResult, source). Widgets forget their value
# when the page is left; these are kept until replaced, so the digit is still here on coming back.
KEPT = {"upload": "upload_kept", "draw": "draw_kept"}
DRAWING_URL = "draw_kept_url"  # the kept drawing as the canvas sent it (a PNG data URL), to draw it again
STEP_PX = 112
DRAW_GROUP = "draw"  # the drawing's live elements (views/live/draw.js)
RECONSTRUCTION = "reconstruction: decoder mean at z = mu"

RECIPE = (
    "The model only knows MNIST: light ink on black, the digit fitted into 20 x 20 pixels and placed in a "
    "28 x 28 field so that its centre of mass is in the middle (LeCun et al., 1998). Your picture goes through "
    "the same recipe, step by step below, so the model gets the kind of input it was trained on."
)


@st.cache_data(max_entries=16, show_spinner=False)
def preprocess_upload(data: bytes) -> PreprocessResult:
    """Decoding is the slow part of a large upload; canvas strokes rerun this view, so remember it."""
    return to_mnist_style(load_image(data))


def show_result(result: PreprocessResult, source: str, key: str) -> None:
    """The preprocessing steps in a row, what the model makes of the result, and buttons to use it."""
    lm = current_model()
    r = describe_digit(lm.model, result.x, n_samples=0, seed=seed())
    spread = elbo_spread_of_test_digits(lm, seed())
    if reason := not_one_digit(result, None if spread is None else spread.share_below(r.elbo)):
        st.warning(f"This does not look like one handwritten digit. {reason}", icon=":material/warning:")
    tiles = st.columns(len(result.steps) + 1)
    for column, (title, picture) in zip(tiles, result.steps):
        with column:
            show_picture(picture, f"preprocessing step: {title}", title, width=STEP_PX)
    with tiles[-1]:
        show_picture(r.reconstruction, f"the model's reconstruction of the uploaded digit, ELBO {r.elbo:.1f} nats",
                     RECONSTRUCTION, width=STEP_PX)
    m = st.columns(3)
    m[0].metric("ELBO", f"{r.elbo:.2f}", help="E_q[log p(x|z)] - KL(q(z|x) || p(z)), in nats; higher is better")
    m[1].metric("log p(x|z)", f"{r.log_likelihood:.2f}", help="one-sample estimate, seeded")
    m[2].metric("KL", f"{r.kl:.2f}", help="exact")
    b = st.columns(3)
    if b[0].button("Use as current digit", key=f"{key}_use_digit", type="primary", width="stretch"):
        set_digit(result.x, source)
        st.rerun()  # the whole app: the sidebar shows the new current digit
    for side, column in zip("AB", b[1:]):
        if column.button(f"Use as interpolation endpoint {side}", key=f"{key}_use_{side}", width="stretch"):
            st.session_state[state_keys.INTERP_ENDPOINT.format(side)] = result.x.copy()
            st.toast(f"Stored as endpoint {side}: pick 'from upload/drawing' on the Interpolate page.")


def kept(key: str, found: tuple[PreprocessResult, str] | None) -> tuple[PreprocessResult, str] | None:
    """A new usable result replaces the kept one; without one, the kept one (from before a page switch)."""
    if found is not None:
        st.session_state[KEPT[key]] = found
    elif KEPT[key] in st.session_state:
        st.caption(f"Below: {st.session_state[KEPT[key]][1]}, kept from before until you replace it.")
    return st.session_state.get(KEPT[key])


# The uploader refuses a file over its limit in the browser, before Python sees it, and says why only in a visually
# hidden alert inside the file's chip (a tooltip on hover, which a phone never shows). This shows that alert as text
# under the file's name. Only attributes the frontend sets for tests and accessibility are used.
REFUSAL_CSS = """<style>
[data-testid="stFileChip"][aria-invalid="true"] { flex-wrap: wrap; height: auto; max-width: 100%; }
[data-testid="stFileChip"][aria-invalid="true"] [role="alert"] {
  position: static; flex-basis: 100%; width: auto; height: auto; margin: 0.25rem 0 0; padding: 0;
  clip: auto; clip-path: none; overflow: visible; white-space: normal;
  color: #bd4043; font-size: 0.875rem;
}
</style>"""


def upload_input() -> tuple[PreprocessResult, str] | None:
    """The uploader, or the camera; the preprocessed picture and its source, or None (with a message in the
    page when the file is unusable). Any file is let through to `load_image`, which says what is wrong with
    it, rather than refused by type in the widget, where the reason is only a tooltip a phone never shows.
    A file over the size limit never reaches Python: the limit is in the label, and REFUSAL_CSS shows the
    uploader's own refusal in the page."""
    megabytes = MAX_BYTES // 2**20
    limit = f"{FORMATS_TEXT}, at most {megabytes} MB."
    if st.toggle("Take a photo with the camera", key="upload_use_camera"):
        file = st.camera_input("Photograph one digit on paper", key="upload_camera")
    else:
        st.html(REFUSAL_CSS)
        file = st.file_uploader(f"Upload a picture of one digit (at most {megabytes} MB)", key="upload_file",
                                max_upload_size=megabytes, help=limit)
    if file is None:
        st.caption(f"Any picture of a single digit: a phone photo of a handwritten one works. {limit} "
                   "A larger photo is refused as soon as it is chosen: crop or shrink it, or take it with the camera.")
        return kept("upload", None)
    try:
        return kept("upload", (preprocess_upload(file.getvalue()), f"upload '{file.name}'"))
    except ImageInputError as e:
        st.error(str(e))
        st.session_state.pop(KEPT["upload"], None)  # the message is about this file: no older digit below it
        return None


def map_dims(lm: LoadedModel) -> tuple[tuple[int, int], tuple[str, ...]]:
    """The two latent dimensions the drawing's map shows, and the widget keys of their selects: z0, z1 on a 2-D
    model (no selects); else two chosen ones, at first the two along which the test digits' mu spread most. The
    selects are live over their Streamlit twins: the map takes other axes at once (draw.js)."""
    if lm.latent_dim == 2:
        return (0, 1), ()
    widest = lm.latents["test_mu"].var(0).argsort(descending=True)[:2].tolist()
    keys = (f"draw_x_{lm.name}", f"draw_y_{lm.name}")
    picked = []
    for column, label, key, default in zip(st.columns(2), ("Map across", "Map up"), keys, widest):
        with column:
            picked.append(dimension_select(label, lm.latent_dim, default, key, DRAW_GROUP, bound=False))
    return (picked[0], picked[1]), keys


def drawing_input() -> tuple[PreprocessResult, str] | None:
    """The canvas, encoded in the browser as it is drawn (views.live.draw_watch); the preprocessed drawing
    (vae_core.drawing: the browser runs the same steps) and its source, or None while it is blank."""
    lm = current_model()
    (dx, dy), keys = map_dims(lm)
    if dx == dy:
        st.warning("Choose two different dimensions for the map.")
        return kept("draw", None)
    url = draw_watch(lm.model, lm.latents, (dx, dy), DRAWING_URL, key="draw_canvas", group=DRAW_GROUP, keys=keys)
    if not url:
        if url == "":  # cleared: nothing is kept
            st.session_state.pop(KEPT["draw"], None)
        st.caption("Draw one digit, white on black like MNIST, filling most of the square. Undo and Clear are "
                   "under it. As you draw, the encoder places your digit (red: mu and its 1-sigma ellipse) among the "
                   "10,000 test digits and the decoder redraws it.")
        return kept("draw", None)
    try:
        result = drawing_to_mnist(canvas_ink(url))
    except ImageInputError as e:
        st.error(str(e))
        st.session_state.pop(DRAWING_URL, None)  # not drawn again
        return None
    return kept("draw", (result, "your drawing"))


@st.fragment
def render() -> None:
    st.subheader("Your own digit")
    autoencoder_notice("upload")
    st.caption(RECIPE)
    # Upload and canvas are separate widgets with their own keys: a failed upload leaves the drawing alone.
    left, right = st.columns(2)
    with left:
        st.markdown("**Upload**")
        uploaded = upload_input()
    with right:
        st.markdown("**Draw**")
        drawn = drawing_input()
    for key, title, found in (("upload", "From your upload", uploaded), ("draw", "From your drawing", drawn)):
        if found is not None:
            st.markdown(f"**{title}**: what the model is given, step by step")
            show_result(*found, key)
