"""views.picking: reading the clicked point out of a plotly chart's selection."""

from __future__ import annotations

from views.picking import first_customdata


def test_first_customdata_reads_plotly_selections():
    assert first_customdata(None) is None
    assert first_customdata({"selection": {"points": []}}) is None
    assert first_customdata({"selection": {"points": [{"x": 1}, {"customdata": 5}]}}) == 5
    assert first_customdata({"selection": {"points": [{"customdata": [7, 0.1, 0.2]}]}}) == [7, 0.1, 0.2]
