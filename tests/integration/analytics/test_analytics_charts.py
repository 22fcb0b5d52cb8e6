"""The charts are drawn from text the issuer controls (names, ids): it must stay text."""

from __future__ import annotations

from credstack.web.analytics_charts import bar_chart


def test_labels_are_escaped_and_bars_scale_to_the_largest() -> None:
    svg = str(bar_chart("c1", "Title <b>", [("<script>x</script>", 2), ("b&c", 4)]))
    assert "<script>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg
    assert "b&amp;c" in svg
    assert '<title id="c1-title">Title &lt;b&gt;</title>' in svg
    assert 'width="175.0"' in svg  # half of the 350 px the largest bar gets
    assert 'width="350.0"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg


def test_percent_charts_have_a_fixed_scale_and_empty_charts_say_so() -> None:
    svg = str(bar_chart("c2", "Rates", [("exam", 50.0)], unit="%", scale_max=100))
    assert 'width="175.0"' in svg
    assert "50.0%" in svg
    assert "No data" in str(bar_chart("c3", "Nothing", []))
