"""The floor for bench_browser.py: the least a Streamlit slider-to-picture round trip can cost.

One slider and one 280 x 280 picture that changes with it, in a fragment like the views, with next to no
computation, shown the way the app shows every picture (views.pictures: an inline PNG in st.html): whatever
latency this app shows is Streamlit's and the browser's, not ours.

    streamlit run benchmarks/floor_app.py
"""

import sys
from pathlib import Path

import numpy as np
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: views/
from views import pictures  # noqa: E402

SIDE = 280


@st.fragment
def floor() -> None:
    value = st.slider("Value", 0, 100, 50, key="floor_value")
    picture = np.zeros((SIDE, SIDE), dtype=np.uint8)
    picture[:, : value * SIDE // 100] = 255  # a bar whose length is the value
    picture[::20] //= 2
    pictures.show_picture(picture, f"a bar {value}% long", caption=f"value {value}", width=SIDE)


st.set_page_config(page_title="Floor", layout="wide")
st.html(f"<style>{pictures.PICTURE_CSS}</style>")
floor()
