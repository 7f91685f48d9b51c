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
    sample,
    sidebar,
    upload,
)

torch.set_num_threads(1)  # many sessions share the CPU; one thread each avoids oversubscription

st.set_page_config(page_title="VAE Explorer", page_icon="🔢", layout="wide")
st.markdown(common.PIXELATED_CSS, unsafe_allow_html=True)

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
]

page = st.navigation(PAGES, position="top")
st.sidebar.title("VAE Explorer")
if sidebar.model_picker():
    sidebar.seed_control()
    sidebar.digit_panel()
    page.run()
