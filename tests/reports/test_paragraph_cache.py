"""The report paragraphs' parse cache: the same markup in the same style is parsed once, and a cached
paragraph is the same as a freshly parsed one (its own fragments, Indian-script runs in their fonts)."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import paraparser

from ato_desktop.reports import layout
from ato_desktop.reports.fonts import register_fonts


def _frag_view(p):
    return [(f.text, f.fontName, f.fontSize) for f in p.frags]


def test_the_same_markup_in_the_same_style_is_parsed_once(monkeypatch):
    register_fonts()
    calls = []
    real = paraparser.ParaParser.parse
    monkeypatch.setattr(paraparser.ParaParser, "parse", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    style = ParagraphStyle("cache-test", fontName="Helvetica", fontSize=9)
    text = "<b>CS301</b><br/>Dr. Meenakshi Sundaram · முருகன் · LAB-2"
    first = layout.Paragraph(text, style)
    second = layout.Paragraph(text, style)
    assert len(calls) == 1
    assert _frag_view(first) == _frag_view(second)
    assert all(a is not b for a, b in zip(first.frags, second.frags))  # no fragment shared between paragraphs
    assert any("Tamil" in f.fontName for f in second.frags)  # the Indian-script run in its fallback font
    assert first.style.name == second.style.name
    other = layout.Paragraph(text, ParagraphStyle("cache-test-2", parent=style, fontSize=11))
    assert len(calls) == 2 and {f.fontSize for f in other.frags} == {11}


def test_a_paragraph_breaks_its_lines_once_per_width(monkeypatch):
    """A table measures its cells' paragraphs again and again at the same width (row heights, split, draw),
    after ``Styles.fit`` has: the lines are broken once per width, and the answer is the same."""
    from reportlab.platypus import Table

    register_fonts()
    calls = []
    real = layout._RLParagraph.breakLines
    monkeypatch.setattr(layout._RLParagraph, "breakLines", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    style = ParagraphStyle("wrap-test", fontName="Helvetica", fontSize=9, leading=11)
    p = layout.Paragraph("Object-Oriented Programming with Java and Design Patterns Laboratory", style)
    first = p.wrap(80, 500)
    assert p.wrap(80, 500) == first and p.wrap(80, 20) == first and len(calls) == 1
    assert (p.width, p.height) == first
    wider = p.wrap(300, 500)
    assert len(calls) == 2 and wider[1] < first[1]
    assert p.wrap(80, 500) == first and len(calls) == 3  # back to the first width: broken again, as before
    fresh = layout.Paragraph("Object-Oriented Programming with Java and Design Patterns Laboratory", style)
    calls.clear()
    table = Table([[fresh]], colWidths=[80])
    table.wrap(80, 500)
    table.wrap(80, 500)
    assert len(calls) == 1


def test_a_fitted_cell_is_fitted_once(monkeypatch):
    """Styles.fit tries sizes from the largest down, a parse and a line break each; a book fits the same
    text into the same cell again and again: the second time it goes straight to the size found."""
    from ato_desktop.reports.layout import PageSetup, Styles

    styles = Styles(PageSetup())
    calls = []
    real = layout._RLParagraph.breakLines
    monkeypatch.setattr(layout._RLParagraph, "breakLines", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    text = "<b>CS301</b><br/>Object-Oriented Programming with Java and Design Patterns Laboratory"
    first = styles.fit(text, 60, 30)
    tries = len(calls)
    assert tries > 1  # it had to come down from 8 pt
    calls.clear()
    again = styles.fit(text, 60, 30)
    assert len(calls) == 1
    assert again is not first and again.style.fontSize == first.style.fontSize
    assert (again.width, again.height) == (first.width, first.height)
    assert styles.fit(text, 200, 30).style.fontSize > first.style.fontSize  # another cell, another answer
