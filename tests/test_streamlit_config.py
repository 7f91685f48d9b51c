"""The server settings a public deployment relies on, and no user data in raw HTML."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
APP_SOURCES = [ROOT / "app.py", *sorted((ROOT / "views").rglob("*.py"))]


@pytest.mark.parametrize(
    ("section", "option", "expected"),
    [
        ("browser", "gatherUsageStats", False),
        ("server", "headless", True),
        ("server", "runOnSave", False),
        ("server", "fileWatcherType", "none"),  # walking every module after each run delays every reply ~5 ms
        ("server", "maxUploadSize", 20),
        ("server", "enableXsrfProtection", True),
        ("server", "enableStaticServing", False),
        ("client", "showErrorDetails", "none"),
        ("client", "toolbarMode", "minimal"),
        ("runner", "postScriptGC", False),  # a full gc.collect after each run costs every interaction ~120 ms
    ],
)
def test_config_sets_the_safe_value(section: str, option: str, expected: object) -> None:
    assert CONFIG[section][option] == expected


def test_every_config_option_is_one_streamlit_knows() -> None:
    from streamlit import config

    options = config.get_config_options()
    for section, values in CONFIG.items():
        for option in values:
            assert f"{section}.{option}" in options, f"{section}.{option} is not a Streamlit option"


# build HTML only from html.escape'd text; each has a test below
ESCAPING_BUILDERS = {"picture_html", "table_html", "digit_picture_html"}


def _is_constant_html(node: ast.expr) -> bool:
    """A plain string literal, a name (or attribute) spelled in UPPER_CASE, i.e. a module constant, or the result
    of one of the ESCAPING_BUILDERS (kept by := or not)."""
    if isinstance(node, ast.NamedExpr):
        return _is_constant_html(node.value)
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return name in ESCAPING_BUILDERS
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    return False


def _renders_raw_html(call: ast.Call) -> bool:
    """`...(body, unsafe_allow_html=<anything but False>)`, or `st.html(body)`."""
    if isinstance(call.func, ast.Attribute) and call.func.attr == "html":
        return True
    return any(
        kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
        for kw in call.keywords
    )


def unsafe_html_calls(source: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call) and _renders_raw_html(node)]


@pytest.mark.parametrize("path", APP_SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_raw_html_is_only_ever_a_module_constant(path: Path) -> None:
    for call in unsafe_html_calls(path.read_text()):
        body = ast.unparse(call.args[0]) if call.args else "no positional body"
        assert call.args and _is_constant_html(call.args[0]), (
            f"{path.name}:{call.lineno}: raw HTML from {body}; only constant strings may be rendered as HTML"
        )


def test_the_raw_html_check_rejects_formatted_strings_and_variables() -> None:
    source = """
st.markdown(f"<b>{name}</b>", unsafe_allow_html=True)
st.html(user_text)
st.markdown(CSS, unsafe_allow_html=True)
st.markdown(name)
st.html(markup := f"<b>{name}</b>")
st.html(markup := picture_html(x, alt, None, 28))
"""
    assert [_is_constant_html(c.args[0]) for c in unsafe_html_calls(source)] == [False, False, True, False, True]


def test_picture_html_escapes_its_text_alternative_and_caption() -> None:
    from views.pictures import picture_html

    markup = picture_html(np.zeros((28, 28), np.uint8), 'a "4" <script>alert(1)</script>', "<b>caption</b>", 196)
    assert "<script>" not in markup and "<b>" not in markup
    assert 'alt="a &quot;4&quot; &lt;script&gt;' in markup and "&lt;b&gt;caption&lt;/b&gt;" in markup


def test_digit_picture_html_escapes_the_digits_name_and_source() -> None:
    from views.common import Digit
    from views.sidebar import digit_picture_html

    markup = digit_picture_html(Digit(np.zeros(784, np.float32), 'upload "<img src=x onerror=alert(1)>"'), 112)
    assert "<img src=x" not in markup and "&lt;img src=x onerror=alert(1)&gt;" in markup


def test_table_html_escapes_its_headers_text_alternatives_and_caption() -> None:
    from views.pictures import table_html

    markup = table_html(np.zeros((1, 2, 28, 28), np.uint8), ["<i>z0</i>"], ['"a"', "<b>"], "<u>", "{row} at {column}",
                        "<s>caption</s>", 56)
    assert not any(tag in markup for tag in ("<i>", "<b>", "<u>", "<s>"))
    assert 'alt="&lt;i&gt;z0&lt;/i&gt; at &quot;a&quot;"' in markup and "&lt;s&gt;caption&lt;/s&gt;" in markup
