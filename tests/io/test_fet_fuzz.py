"""Hypothesis fuzzing of the FET reader and the import's mapping (no database): a mutated .fet file is
either mapped or refused with our one-sentence error (``FetError`` / ``FetImportError``), never another
exception. Fixed budget, derandomized."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ato_desktop.io.fet import FetError, parse_fet_bytes
from ato_desktop.services.fet_import import FetImportError, FetImportReport, plan_import

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SRC = (Path(__file__).resolve().parents[1] / "data" / "fet" / "split_subgroups.fet").read_text("utf-8")
TEXTS = [m.span(1) for m in re.finditer(r">([^<>\n]+)</", SRC)]  # every element text (names, numbers, ...)


def test_a_huge_number_is_refused_before_the_database():
    data = SRC.replace("<Capacity>35</Capacity>", "<Capacity>99999999999999999999</Capacity>").encode()
    try:
        parse_fet_bytes(data, "huge.fet")
    except FetError as exc:
        assert "huge.fet line" in str(exc) and "far beyond" in str(exc)
    else:
        raise AssertionError("a capacity of 10^20 was accepted")


def _map(data: bytes) -> None:
    try:
        f = parse_fet_bytes(data, "fuzz.fet")
        plan_import(f, FetImportReport(source="fuzz.fet"))
    except (FetError, FetImportError) as exc:
        assert str(exc) and "\n" not in str(exc)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(TEXTS) - 1),
                          st.one_of(st.integers(-3, 40).map(str), st.sampled_from(
                              ["", " ", "T1", "T9", "CSE 3", "3A-B1", "Hindi", "Monday", "P4", "Lab1", "x", "1.5",
                               "false", "100", "0", "LAB", "99999999999999999999", "1e400", "nan"]))), min_size=1, max_size=4))
def test_mutated_element_texts_map_or_are_refused(edits):
    text = SRC
    for i, value in sorted(edits, key=lambda e: -TEXTS[e[0]][0]):
        a, b = TEXTS[i]
        text = text[:a] + value + text[b:]
    _map(text.encode("utf-8"))


@FUZZ
@given(st.integers(0, len(SRC) - 1), st.integers(0, 200), st.binary(max_size=8))
def test_mutated_bytes_map_or_are_refused(pos, length, junk):
    data = SRC.encode("utf-8")
    _map(data[:pos] + junk + data[pos + length:])
