"""VAE Explorer: see inside Kingma & Welling's variational autoencoder, live."""

import os

# Many sessions share the CPU: one thread each for torch's intra-op work, avoiding oversubscription. Set in the
# environment, before torch (and its OpenMP runtime) loads, so that it holds in every thread: each script run,
# and each fragment rerun (which does not run this file), is a new thread, and torch.set_num_threads applies only
# to the thread that calls it; a fragment's first torch call in a thread with OpenMP's default of one thread per
# core cost 5-40 ms (benchmarks/RESULTS.md, "Each rerun cheaper").
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402
import torch  # noqa: E402

from views import lesson_player, live, navigation, screens, share, sidebar  # noqa: E402
from views.screens import PAGE_CSS, PRESENTER_PAGE_CSS  # noqa: E402

torch.set_num_threads(1)  # for this thread, should torch have been imported before this file (AppTest, pytest)

presenter = screens.presenting()  # the sidebar toggle's value is known before the toggle is drawn
# In presenter mode the sidebar starts collapsed, so the page has the whole projector (its chevron reopens it).
# Streamlit keeps a viewer's own opening or closing of the sidebar (in the browser's storage) over this default.
st.set_page_config(page_title="VAE Explorer", page_icon=":material/blur_circular:", layout="wide",
                   initial_sidebar_state="collapsed" if presenter else "auto")
st.html(PAGE_CSS)  # pictures, focus rings, touch targets (views/screens.py)
live.mount_runtime()  # the live elements' code, sent once per session
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
