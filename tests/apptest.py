"""Opening one of the app's pages in AppTest, shared by the view tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from views import state_keys

ROOT = Path(__file__).resolve().parent.parent


def open_page(url_path: str, model: str | None = None, timeout: float = 60) -> AppTest:
    """Run app.py on the page registered under `url_path`, optionally switching the sidebar's model.

    Our pages are callables given to st.navigation, and AppTest.switch_page only resolves page *files*.
    A st.Page is identified by calc_hash(url_path) -- the hash the browser requests for /<url_path> --
    so we request that hash directly (AppTest keeps it in `_page_hash`; there is no public setter), and
    check that the page really opened, so a change in AppTest fails loudly instead of testing the default page.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at._page_hash = calc_hash(url_path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at._finished_page_script_hash == calc_hash(url_path), f"page {url_path!r} did not open"
    if model is not None:
        at.selectbox(key=state_keys.MODEL).set_value(model).run()
        assert not at.exception, [e.value for e in at.exception]
    return at
