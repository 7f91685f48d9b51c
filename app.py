"""VAE Explorer: see inside Kingma & Welling's variational autoencoder, live."""

import streamlit as st
import torch

from views import (
    common,
    compare,
    interpolate,
    latent_map,
    manifold,
    maths,
    pad,
    perturb_mean,
    perturb_variance,
    reconstruct,
    replay,
    sample,
    share,
    sidebar,
    upload,
)

torch.set_num_threads(1)  # many sessions share the CPU; one thread each avoids oversubscription

st.set_page_config(page_title="VAE Explorer", page_icon="🔢", layout="wide")
st.markdown(common.PIXELATED_CSS, unsafe_allow_html=True)

# A constant (never user text): larger type and headings for a projector; pictures grow in common.show_digit.
PRESENTER_CSS = """<style>
html {font-size: 20px;}
h1 {font-size: 2.6rem !important;} h2 {font-size: 2.1rem !important;} h3 {font-size: 1.7rem !important;}
[data-testid=stImageContainer] {max-width: 100%;}  /* a grown picture shrinks to its column, never overlaps */
[data-testid=stSidebar] button {padding-left: 0; padding-right: 0;}  /* the 0-9 buttons keep their labels */
</style>"""

PAGES = [
    st.Page(reconstruct.render, title="Reconstruct", icon="🔁", url_path="reconstruct", default=True),
    st.Page(perturb_mean.render, title="Mean perturbation", icon="🎚️", url_path="mean"),
    st.Page(perturb_variance.render, title="Variance perturbation", icon="🌫️", url_path="variance"),
    st.Page(sample.render, title="Sample", icon="🎲", url_path="sample"),
    st.Page(interpolate.render, title="Interpolate", icon="↔️", url_path="interpolate"),
    st.Page(manifold.render, title="Manifold", icon="🗺️", url_path="manifold"),
    st.Page(latent_map.render, title="Latent map", icon="📍", url_path="map"),
    st.Page(maths.render, title="The maths", icon="🧮", url_path="maths"),
    st.Page(pad.render, title="Latent pad", icon="🕹️", url_path="pad"),
    st.Page(upload.render, title="Upload & draw", icon="✏️", url_path="upload"),
    st.Page(compare.render, title="Compare latent sizes", icon="📊", url_path="compare"),
    st.Page(replay.render, title="Training replay", icon="⏪", url_path="replay"),
]

page = st.navigation(PAGES, position="top")
st.sidebar.title("VAE Explorer")
sidebar.presenter_toggle()
if st.session_state.get("presenter"):
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
if sidebar.model_picker():
    sidebar.seed_control()
    share.digit_from_query()  # a shared link's digit, once per session, before anything shows the digit
    sidebar.digit_panel()
    share.digit_to_query()
    page.run()
