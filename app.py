"""VAE Explorer: see inside Kingma & Welling's variational autoencoder, live."""

import streamlit as st
import torch

from views import common, share, sidebar, state_keys
from views.pages import compare, interpolate, manifold, maths, mean, pad, reconstruct, replay, sample, upload, variance
from views.pages import map as latent_map  # the module is named after its URL; plain `map` would hide the builtin

torch.set_num_threads(1)  # many sessions share the CPU; one thread each avoids oversubscription

st.set_page_config(page_title="VAE Explorer", page_icon=":material/blur_circular:", layout="wide")
st.markdown(common.PIXELATED_CSS, unsafe_allow_html=True)

# A constant (never user text): larger type and headings for a projector; pictures grow in common.show_digit.
PRESENTER_CSS = """<style>
html {font-size: 20px;}
h1 {font-size: 2.6rem !important;} h2 {font-size: 2.1rem !important;} h3 {font-size: 1.7rem !important;}
[data-testid=stImageContainer] {max-width: 100%;}  /* a grown picture shrinks to its column, never overlaps */
[data-testid=stSidebar] button {padding-left: 0; padding-right: 0;}  /* the 0-9 buttons keep their labels */
</style>"""

# Material icons ship with Streamlit's frontend (emoji need a font the viewer's machine may lack).
PAGES = {
    "Encode": [
        st.Page(
            reconstruct.render, title="Reconstruct", icon=":material/autorenew:", url_path="reconstruct", default=True
        ),
        st.Page(upload.render, title="Upload & draw", icon=":material/draw:", url_path="upload"),
        st.Page(maths.render, title="The maths", icon=":material/function:", url_path="maths"),
    ],
    "Perturb": [
        st.Page(mean.render, title="Mean perturbation", icon=":material/tune:", url_path="mean"),
        st.Page(variance.render, title="Variance perturbation", icon=":material/blur_on:", url_path="variance"),
    ],
    "Generate": [
        st.Page(sample.render, title="Sample", icon=":material/casino:", url_path="sample"),
        st.Page(interpolate.render, title="Interpolate", icon=":material/swap_horiz:", url_path="interpolate"),
    ],
    "Latent space": [
        st.Page(manifold.render, title="Manifold", icon=":material/grid_on:", url_path="manifold"),
        st.Page(latent_map.render, title="Latent map", icon=":material/scatter_plot:", url_path="map"),
        st.Page(pad.render, title="Latent pad", icon=":material/touch_app:", url_path="pad"),
    ],
    "Models": [
        st.Page(compare.render, title="Compare latent sizes", icon=":material/bar_chart:", url_path="compare"),
        st.Page(replay.render, title="Training replay", icon=":material/history:", url_path="replay"),
    ],
}

page = st.navigation(PAGES, position="top")
st.sidebar.title("VAE Explorer")
sidebar.presenter_toggle()
if st.session_state.get(state_keys.PRESENTER):
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
if sidebar.model_picker():
    sidebar.seed_control()
    share.digit_from_query()  # a shared link's digit, once per session, before anything shows the digit
    sidebar.digit_panel()
    share.digit_to_query()
    page.run()
