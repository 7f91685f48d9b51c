"""The app's pages, once: section, URL path, title, icon and a line saying what each shows.

app.py builds the navigation from this list and the Start page its guide to the pages, so the two never
disagree. Page modules are imported when a page object is made (the Start page is one of them).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageSpec:
    section: str
    url_path: str  # also the module's name under views/pages/
    title: str
    icon: str  # a Material icon: they ship with Streamlit's frontend (emoji need a font the viewer may lack)
    shows: str  # one line for the Start page's guide


DEFAULT_PAGE = "start"
PAGES = [
    PageSpec("Start", "start", "Start here", ":material/school:",
             "What a VAE does with a digit, with this digit's pictures and numbers."),
    PageSpec("Start", "lessons", "Lessons", ":material/menu_book:",
             "Guided, narrated walks through the VAE, one step at a time; each step has its own link."),
    PageSpec("Encode", "reconstruct", "Reconstruct", ":material/autorenew:",
             "The digit, its reconstruction and its ELBO split into its two terms, dimension by dimension."),
    PageSpec("Encode", "upload", "Upload & draw", ":material/draw:",
             "Your own digit, photographed or drawn, through every preprocessing step into the model."),
    PageSpec("Encode", "maths", "The maths", ":material/function:",
             "Every formula of the ELBO with this digit's numbers in it."),
    PageSpec("Perturb", "mean", "Mean perturbation", ":material/tune:",
             "Move one latent coordinate at a time and watch what it changes in the digit."),
    PageSpec("Perturb", "variance", "Variance perturbation", ":material/blur_on:",
             "Draw codes from the encoder's distribution, wider or narrower, and decode them."),
    PageSpec("Generate", "sample", "Sample", ":material/casino:",
             "New digits from codes drawn from the prior N(0, I)."),
    PageSpec("Generate", "interpolate", "Interpolate", ":material/swap_horiz:",
             "A walk in latent space from one digit to another, beside a plain pixel cross-fade."),
    PageSpec("Latent space", "manifold", "Manifold", ":material/grid_on:",
             "Kingma & Welling's Fig. 4: a grid of codes decoded, on the 2-D model the whole learned manifold."),
    PageSpec("Latent space", "map", "Latent map", ":material/scatter_plot:",
             "Where the encoder puts each of the 10,000 test digits; click one to use it."),
    PageSpec("Latent space", "pad", "Latent pad", ":material/touch_app:",
             "Drag a point through latent space; your browser decodes it as you move."),
    PageSpec("Models", "compare", "Compare latent sizes", ":material/bar_chart:",
             "The four shipped VAEs side by side: figures, training curves, reconstructions."),
    PageSpec("Models", "objectives", "Compare objectives", ":material/balance:",
             "An autoencoder, the VAE and β-VAEs side by side: why the KL term matters."),
    PageSpec("Models", "replay", "Training replay", ":material/history:",
             "The 2-D model during training, from random weights to the final manifold."),
]


def spec(url_path: str) -> PageSpec:
    """The page served at /<url_path>."""
    return next(s for s in PAGES if s.url_path == url_path)


def st_page(spec: PageSpec, hidden_alias: bool = False) -> st.Page:
    """The Streamlit page of `spec` (its module's render function at its URL path).

    The default page is served at `/`; Streamlit cannot also serve it at its own path, so `hidden_alias` makes a
    second, unlisted page there that shows the same."""
    render = importlib.import_module(f"views.pages.{spec.url_path}").render
    if spec.url_path == DEFAULT_PAGE and not hidden_alias:
        return st.Page(render, title=spec.title, icon=spec.icon, url_path="", default=True)
    return st.Page(render, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                   visibility="hidden" if hidden_alias else "visible")


def streamlit_pages() -> dict[str, list[st.Page]]:
    """Every page grouped by section, in order, for st.navigation (plus the default page's alias at its path)."""
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        sections.setdefault(spec.section, []).append(st_page(spec))
        if spec.url_path == DEFAULT_PAGE:
            sections[spec.section].append(st_page(spec, hidden_alias=True))
    return sections
