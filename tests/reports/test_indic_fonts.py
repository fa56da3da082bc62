"""Names in Indian scripts: each run in its Noto fallback font, shaped, embedded; Latin untouched."""

from __future__ import annotations

import io
import shutil

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from ato_desktop.services.reports import faculty_timetable_pdf
from ato_desktop.reports.fonts import _SHARED, SCRIPTS, font_bytes, mixed_words, runs, shaping_available
from tests.reports.conftest import page_texts, read_pdf


def test_runs_keep_punctuation_and_spaces_with_the_word_they_touch():
    assert runs("") == []
    assert runs("Dr. Zoë D'Souza") == [(None, "Dr. Zoë D'Souza")]
    assert runs("डॉ. प्रिया शर्मा") == [("Devanagari", "डॉ. प्रिया शर्मा")]
    assert runs("Timetable — डॉ. प्रिया (Priya) (प्रिया)") == [
        (None, "Timetable"), ("Devanagari", " — डॉ. प्रिया"), (None, " (Priya)"), ("Devanagari", " (प्रिया)")]
    assert runs("முனைவர் அருண் — 2026") == [("Tamil", "முனைவர் அருண்"), (None, " — 2026")]
    assert runs("ਸਿੰਘ·ગુજરાતી") == [("Gurmukhi", "ਸਿੰਘ"), (None, "·"), ("Gujarati", "ગુજરાતી")]
    assert "".join(p for _, p in runs("a (क्ष) b, ১২৩ ₹5")) == "a (क्ष) b, ১২৩ ₹5"


def test_mixed_words_are_found():
    assert mixed_words("CSE-हिंदी") and mixed_words("Dr.प्रिया")
    assert not mixed_words("डॉ. प्रिया शर्मा (Priya Sharma)") and not mixed_words("CS301 L · CR-105")


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_fallback_font_has_its_script_and_the_shared_characters(script):
    for weight in ("Regular", "Bold"):
        cmap = TTFontFile(io.BytesIO(font_bytes(f"NotoSans{script}-{weight}.ttf"))).charToGlyph
        missing = sorted(ch for ch in _SHARED if ord(ch) not in cmap)
        assert missing == [], f"NotoSans{script}-{weight} lacks {missing}"
    sample = {"Devanagari": "क", "Bengali": "ক", "Gurmukhi": "ਕ", "Gujarati": "ક", "Oriya": "କ", "Tamil": "க",
              "Telugu": "క", "Kannada": "ಕ", "Malayalam": "ക"}[script]
    assert runs(sample) == [(script, sample)] and ord(sample) in cmap


def test_a_faculty_pdf_with_names_in_indian_scripts(demo_copy, tmp_path):
    from ato_desktop.services import calendar as cal
    from ato_desktop.services import resources as res
    from ato_desktop.storage.database import open_database

    path = tmp_path / "copy.atodb"
    shutil.copyfile(demo_copy.path, path)
    db = open_database(path)
    try:
        cal.set_settings(db, institution_name="राजकीय अभियांत्रिकी महाविद्यालय", term="ஒற்றைப் பருவம் 2026 · ₹")
        sfe = res.get_item(db, "faculty", "SFE")
        res.update_item(db, "faculty", sfe["id"], {"name": "डॉ. प्रिया शर्मा (Priya Sharma)"})
        pdf = faculty_timetable_pdf(db, None, "SFE")
    finally:
        db.close()
    reader = read_pdf(pdf)
    assert len(reader.pages) == 1
    text = page_texts(reader)[0]
    # Shaped: the conjuncts (प्र, त्र, र्म, ற்ற) are drawn as the font's ligature glyphs, which have no
    # character of their own (ReportLab gives them private-use code points). Those glyphs extract as
    # nothing (their font's ToUnicode maps to ""); the invisible layer gives each name once, as typed.
    assert not [hex(ord(ch)) for ch in text if 0xE000 <= ord(ch) <= 0xF8FF]
    assert text.count("राजकीय अभियांत्रिकी महाविद्यालय") == 1  # drawn on the canvas (the header)
    assert text.count("ஒற்றைப் பருவம் 2026 · ₹") == 1
    assert text.count("डॉ. प्रिया शर्मा (Priya Sharma) (SFE)") == 1  # in a paragraph (the title)
    assert "Assistant Professor" in text
    fonts = {str(ref.get_object()["/BaseFont"]).split("+")[-1] for ref in reader.pages[0]["/Resources"]["/Font"].values()}
    assert {"NotoSansDevanagari-Bold", "NotoSansTamil-Regular", "DejaVuSansCondensed"} <= fonts
    assert {"NotoSansDevanagari-Bold-Glyphs", "NotoSansTamil-Regular-Glyphs"} <= fonts  # the glyph twins
    assert not any("Bengali" in f for f in fonts)  # a fallback font is embedded only where it is used


@pytest.mark.parametrize("name", ["முனைவர் ஸ்ரீநிவாசன் கிருஷ்ணமூர்த்தி", "डॉ. क्षितिज त्रिपाठी"], ids=["Tamil", "Devanagari"])
def test_an_indian_script_name_copies_out_of_the_pdf_once_and_as_typed(name):
    """pypdf's extract_text (what search and copy-paste see) gives the name exactly, no private-use characters."""
    from reportlab.platypus import SimpleDocTemplate, Table

    from ato_desktop.reports.layout import PageSetup, Paragraph, Styles

    styles = Styles(PageSetup())
    out = io.BytesIO()
    SimpleDocTemplate(out).build([Paragraph(f"Dr {name} (X1)", styles.body),
                                  Table([[Paragraph(name, styles.cell(7.0, "left"))]], colWidths=[400])])
    text = read_pdf(out.getvalue()).pages[0].extract_text()
    assert [line.strip() for line in text.splitlines()] == [f"Dr {name} (X1)", name]


def test_shaping_is_available_where_the_app_is_installed():
    """uharfbuzz is a dependency: without it conjuncts would print as separate letters."""
    assert shaping_available()


def test_markup_for_reportlabs_own_paragraphs_escapes_and_names_the_fallback_font():
    from ato_desktop.reports.layout import markup

    assert markup("R&D <lab> प्रिया", bold=True) == (
        'R&amp;D &lt;lab&gt;<font face="ATOSansDevanagari-Bold"> प्रिया</font>')
    assert markup("Zoë") == "Zoë"


def test_a_word_in_an_indian_script_is_never_split_into_pieces():
    """Splitting a shaped word leaves pieces the font cannot shape (boxes): lines break between words only."""
    from ato_desktop.reports.layout import PageSetup, Paragraph, Styles

    styles = Styles(PageSetup())
    for word in ("அருண்மொழிசெல்வன்", "प्रियाशर्मा", "వెంకటలక్ష్మి", "Meenakshisundaram"):
        p = Paragraph(f"முனைவர் {word}", styles.cell(7.0, "left"))
        p.wrap(25, 1000)  # far narrower than the word
        lines = p.blPara.lines
        texts = ["".join(w.text for w in line.words) if hasattr(line, "words") else " ".join(line[1])
                 for line in lines]
        assert len([t for t in texts if t.strip()]) == 2, word  # one line per word: the long one whole
        assert p.minWidth() > 25


def test_cell_fills_stay_apart_in_grey_and_the_legend_has_their_key(demo_copy):
    from ato_desktop.services.reports import build_report
    from ato_desktop.reports.layout import KIND_COLORS, MIXED_COLOR, WARN_COLOR

    def grey(c) -> float:  # luminance, as a black-and-white printer sees it
        return 0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue

    levels = sorted(grey(c) for c in (*KIND_COLORS.values(), MIXED_COLOR))
    assert all(b - a >= 0.05 for a, b in zip(levels, levels[1:])), levels
    assert grey(KIND_COLORS["L"]) - grey(KIND_COLORS["P"]) >= 0.2
    assert abs(grey(WARN_COLOR) - grey(KIND_COLORS["L"])) >= 0.03
    text = page_texts(read_pdf(build_report(demo_copy, "group", name="CSE-3A")[0]))[0]
    assert "Kinds" in text and "practical (lab)" in text and "several kinds in one cell" in text
