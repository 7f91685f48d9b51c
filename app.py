"""VAE Explorer: see inside Kingma & Welling's variational autoencoder, live."""

import streamlit as st
import torch

from views import lesson_player, navigation, pictures, share, sidebar, state_keys

torch.set_num_threads(1)  # many sessions share the CPU; one thread each avoids oversubscription

st.set_page_config(page_title="VAE Explorer", page_icon=":material/blur_circular:", layout="wide")
st.html(pictures.PICTURE_CSS)

# A constant (never user text): larger type and headings for a projector; pictures grow in pictures.shown_width.
PRESENTER_CSS = """<style>
html {font-size: 20px;}
h1 {font-size: 2.6rem !important;} h2 {font-size: 2.1rem !important;} h3 {font-size: 1.7rem !important;}
[data-testid=stSidebar] [data-testid=stColumn] button {padding-left: 0; padding-right: 0;}  /* 0-9 keep their labels */
</style>"""

page = st.navigation(navigation.streamlit_pages(), position="top")
lesson_player.start_from_link()  # a step's link sets the step's state before any widget exists
lesson_player.switch_to_pending_page(page)
st.sidebar.title("VAE Explorer")
sidebar.presenter_toggle()
if st.session_state.get(state_keys.PRESENTER):
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
if sidebar.model_picker():
    sidebar.seed_control()
    share.digit_from_query()  # a shared link's digit, once per session, before anything shows the digit
    lesson_player.apply_pending_digit()
    sidebar.digit_panel()
    share.digit_to_query()
    lesson_player.panel()
    page.run()
