"""VAE Explorer: see inside Kingma & Welling's variational autoencoder, live."""

import streamlit as st
import torch

from views import common, reconstruct, sidebar

torch.set_num_threads(1)  # many sessions share the CPU; one thread each avoids oversubscription

st.set_page_config(page_title="VAE Explorer", page_icon="🔢", layout="wide")
st.markdown(common.PIXELATED_CSS, unsafe_allow_html=True)

PAGES = [
    st.Page(reconstruct.render, title="Reconstruct", icon="🔁", url_path="reconstruct", default=True),
]

page = st.navigation(PAGES, position="top")
st.sidebar.title("VAE Explorer")
if sidebar.model_picker():
    sidebar.seed_control()
    sidebar.digit_panel()
    page.run()
