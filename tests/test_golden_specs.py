"""Golden tests: every bundled spec parses to the expected model summary."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamespec.analysis import classify
from gamespec.language.loader import load_model
from gamespec.model_summary import model_summary

SPECS = Path(__file__).resolve().parents[1] / "specs"
GOLDEN = SPECS.parent / "tests" / "golden"
NEEDS_DATA = {"nvo_pdp", "nvo_income", "nvo_credit"}


@pytest.mark.parametrize("spec", sorted(p.stem for p in SPECS.glob("*.game")))
def test_spec_matches_golden_summary(spec, request):
    if spec in NEEDS_DATA:
        request.getfixturevalue("mirror")
    model = load_model(SPECS / f"{spec}.game")
    summary = json.loads(json.dumps(model_summary(model, classify(model))))
    expected = json.loads((GOLDEN / f"{spec}.json").read_text())
    assert summary == expected


def test_every_spec_has_a_golden_file():
    assert {p.stem for p in SPECS.glob("*.game")} == {p.stem for p in GOLDEN.glob("*.json")}
