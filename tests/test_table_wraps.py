"""hooks/table_wraps.py: Material's table wrapper written at build time."""

from __future__ import annotations

from hooks.table_wraps import CLOSE, OPEN, wrap_tables


def test_a_bare_table_gets_material_s_wrapper():
    table = "<table>\n<tr><td>1</td></tr>\n</table>"
    assert wrap_tables(f"<p>x</p>{table}<p>y</p>") == f"<p>x</p>{OPEN}{table}{CLOSE}<p>y</p>"


def test_tables_with_a_class_and_their_closing_tags_are_left_alone():
    inner = '<table class="highlighttable"><tr><td>code</td></tr></table>'
    html = f"<table><tr><td>{inner}</td></tr></table>{inner}"
    assert wrap_tables(html) == f"{OPEN}<table><tr><td>{inner}</td></tr></table>{CLOSE}{inner}"


def test_wrapping_twice_changes_nothing():
    once = wrap_tables("<table><tr><td>1</td></tr></table>")
    assert wrap_tables(once) == once
