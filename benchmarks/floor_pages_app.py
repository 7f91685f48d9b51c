"""The page-switch floor for bench_browser.py: the floor app's slider and picture as two pages behind a top menu,
with the app's section and page names, so a switch between them is the least a Streamlit page switch costs.

    streamlit run benchmarks/floor_pages_app.py
"""

import sys
from pathlib import Path

import numpy as np
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: views/
from views import pictures  # noqa: E402

SIDE = 280


def bar_page(stripe: int) -> None:
    """The floor app's slider and bar, with the page's own stripes: each page's picture differs from the other's."""
    value = st.slider("Value", 0, 100, 50, key=f"floor_value_{stripe}")
    picture = np.zeros((SIDE, SIDE), dtype=np.uint8)
    picture[:, : value * SIDE // 100] = 255
    picture[stripe::20] //= 2
    pictures.show_picture(picture, f"a bar {value}% long", caption=f"value {value}", width=SIDE)


def variance() -> None:
    bar_page(0)


def sample() -> None:
    bar_page(10)


st.set_page_config(page_title="Floor pages", layout="wide")
st.html(f"<style>{pictures.PICTURE_CSS}</style>")
st.navigation({"Perturb": [st.Page(variance, title="Variance perturbation", url_path="variance")],
               "Generate": [st.Page(sample, title="Sample", url_path="sample")]}, position="top").run()
