"""VAE Explorer: see inside Kingma & Welling's variational autoencoder, live."""

import streamlit as st
import torch

from views import lesson_player, navigation, screens, share, sidebar
from views.screens import PAGE_CSS, PRESENTER_PAGE_CSS

torch.set_num_threads(1)  # many sessions share the CPU; one thread each avoids oversubscription

presenter = screens.presenting()  # the sidebar toggle's value is known before the toggle is drawn
# In presenter mode the sidebar starts collapsed, so the page has the whole projector (its chevron reopens it).
# Streamlit keeps a viewer's own opening or closing of the sidebar (in the browser's storage) over this default.
st.set_page_config(page_title="VAE Explorer", page_icon=":material/blur_circular:", layout="wide",
                   initial_sidebar_state="collapsed" if presenter else "auto")
st.html(PAGE_CSS)  # pictures, focus rings, touch targets (views/screens.py)
if presenter:
    st.html(PRESENTER_PAGE_CSS)

page = st.navigation(navigation.streamlit_pages(), position="top")
lesson_player.start_from_link()  # a step's link sets the step's state before any widget exists
lesson_player.switch_to_pending_page(page)
st.sidebar.title("VAE Explorer")
sidebar.presenter_toggle()
if sidebar.model_picker():
    sidebar.seed_control()
    share.digit_from_query()  # a shared link's digit, once per session, before anything shows the digit
    lesson_player.apply_pending_digit()
    sidebar.digit_panel()
    share.digit_to_query()
    lesson_player.panel()
    page.run()
