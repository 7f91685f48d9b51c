"""How the app adapts to its screens: a projector (presenter mode), a phone, a keyboard.

Colours live in the theme (.streamlit/config.toml), pictures grow in pictures.shown_width; this module holds the
little CSS Streamlit's theme cannot express, and the chart fonts of presenter mode. Every rule is a constant
(never user text) and styles Streamlit's own elements by their stable `data-testid`; nothing here patches the DOM.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from . import state_keys
from .pictures import PICTURE_CSS

PRESENTER_TEXT_PX = 24  # the smallest text on a projector (issue 15: read from the back of a classroom)
PRESENTER_CHART_PX = 22  # chart labels in presenter mode (at least 20)

# Every screen: a focus ring that shows on any background (WCAG 2.4.7; on a slider, around its thumb), and touch
# targets of at least 24 x 24 px (WCAG 2.2 SC 2.5.8): Streamlit's slider thumb (react-aria's, the box holding its
# value) is 12 px, so a transparent ring around it takes the touch. The thumb by its place and react-aria's data
# attributes, not by :has(): such rules made every restyle of the page slower (benchmarks/RESULTS.md).
SLIDER_THUMB = "[data-testid=stSlider] [role=group] > [data-orientation] > [data-rac]"
SCREEN_CSS = f"""
:focus-visible {{outline: 3px solid #1a5fb4 !important; outline-offset: 2px;}}
[data-testid=stButtonGroup] > div {{flex-wrap: wrap;}}  /* pills wrap onto a new row rather than scroll out of sight */
/* A picture and its controls side by side (Sample, Variance): far apart in a row, close when a phone stacks them. */
[class*="st-key-picture_row"] {{row-gap: 1rem;}}
{SLIDER_THUMB}::before {{content: ""; position: absolute; inset: -7px; border-radius: 50%;}}
{SLIDER_THUMB}[data-focus-visible] {{outline: 3px solid #1a5fb4; outline-offset: 3px;}}  /* its input is hidden */
/* Where the live component's script cannot run (blocked, or failing), Streamlit puts an error with a stack trace in
   each of its mounts; the page works on without them (its Streamlit twins show), so the visitor is not shown them.
   They stay in the browser's console. Here, not in live.css: that comes with the script. */
.stBidiComponent [data-testid=stAlertContainer] {{display: none;}}
/* The live mounts that draw nothing take no room: the runtime's, the model's (a page's nested fragment mounts it
   inside a column of controls), and those of what a live element reads (keyed {{key}}_source_...: a picker's or
   flipbook's sources, the pad's and the drawing's weights, the drawing's points). Else each adds the column's gap
   (1rem) to the page: six under the manifold, three above the drawing's map, one above every page's heading. */
.st-key-vae_live_runtime, .st-key-vae_live_model, .st-key-vae_live_hello,
  [data-testid=stElementContainer][class*="_source_"] {{display: none;}}
"""

# Streamlit's elements that set their text smaller than the root size (captions, widget labels, slider ticks, ...).
SMALL_TEXT = ", ".join([
    "[data-testid=stCaptionContainer]", "[data-testid=stWidgetLabel]", "[data-testid=stSliderTickBar]",
    "[data-testid=stSliderThumbValue]", "[data-testid=stMetricLabel]", "[data-testid=stTable]", "figcaption", "caption",
    "[data-testid=stTooltipContent]", "code", "button", "[data-testid=stPageLink]", "[data-testid=stHeader]",
    "[data-testid=stFileUploaderDropzoneInstructions]", "[role=radiogroup]", "summary", "[role=listbox]",
    "[data-testid=stSelectbox]", ".vae-live", ".vae-pad", ".vae-draw", ".vae-pick", ".vae-digits",  # views/live
])

# Presenter mode, for a 1920 x 1080 projector: a 24 px root size, no text smaller than it, larger headings, less
# blank space at the top. KaTeX sizes its sub- and superscripts in em of its own base, so that base is raised.
PRESENTER_CSS = f"""
html {{font-size: {PRESENTER_TEXT_PX}px;}}
.stApp :where({SMALL_TEXT}), .stApp :where({SMALL_TEXT}) * {{font-size: 1rem !important;}}
.stApp h1 {{font-size: 2.2rem !important;}} .stApp h2 {{font-size: 1.8rem !important;}}
.stApp h3 {{font-size: 1.5rem !important;}} .stApp h4 {{font-size: 1.2rem !important;}}
.stApp .katex {{font-size: 1.45em !important;}} .stApp .katex-display > .katex {{font-size: 2em !important;}}
[data-testid=stMainBlockContainer] {{padding-top: 3.5rem;}}
@media (min-width: 1200px) {{  /* the pad and its picture grow as far as the fold allows below the pad's controls */
  .vae-pad-column {{width: 380px;}} .vae-pad .preview {{width: 280px; height: 280px;}}
  /* the drawing and its map at their canvases' own size, the reconstruction half again as large, in one row */
  .vae-draw-column, .vae-draw-map {{width: 280px;}}
  .vae-draw-recon canvas {{width: 168px; height: 168px;}} .vae-draw-recon figcaption {{max-width: 168px;}}
}}
"""

PAGE_CSS = f"<style>{PICTURE_CSS}{SCREEN_CSS}</style>"
PRESENTER_PAGE_CSS = f"<style>{PRESENTER_CSS}</style>"


def presenting() -> bool:
    """Whether presenter mode is on (the sidebar's toggle)."""
    return bool(st.session_state.get(state_keys.PRESENTER))


def for_screen(fig: go.Figure, presenter_height: float = 1.0) -> go.Figure:
    """The chart as this viewer's screen needs it: in presenter mode a copy with every label at least
    PRESENTER_CHART_PX (plotly's tick, legend and axis-title fonts follow the layout's font unless set), and
    `presenter_height` times as tall (a chart whose legend lists ten classes needs the room)."""
    if not presenting():
        return fig
    fig = go.Figure(fig)  # a copy: the figure may be cached and shared with other viewers
    if fig.layout.height and presenter_height != 1.0:
        fig.update_layout(height=round(fig.layout.height * presenter_height))
    fig.update_layout(font_size=PRESENTER_CHART_PX, title_font_size=round(PRESENTER_CHART_PX * 1.2),
                      legend_font_size=PRESENTER_CHART_PX, legend_title_font_size=PRESENTER_CHART_PX)
    fig.update_xaxes(tickfont_size=PRESENTER_CHART_PX, title_font_size=PRESENTER_CHART_PX)
    fig.update_yaxes(tickfont_size=PRESENTER_CHART_PX, title_font_size=PRESENTER_CHART_PX)
    fig.update_annotations(font_size=PRESENTER_CHART_PX)
    # a log axis labels its minor ticks (2, 3, ... 9) at 3/4 of the tick font: keep the decades only
    fig.for_each_xaxis(lambda axis: axis.update(dtick=1) if axis.type == "log" else None)
    fig.for_each_yaxis(lambda axis: axis.update(dtick=1) if axis.type == "log" else None)
    return fig
