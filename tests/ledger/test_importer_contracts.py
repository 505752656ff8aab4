"""Each field of the contracts written for the importer (tests/ledger/contracts/): the
development set, tuned on, and the held-out set, written before the extractors and not
tuned on. bench/contract_import_eval.py prints the same comparison as accuracy figures."""

import json

import pytest

from bench.contract_import_eval import compare
from tests.ledger.conftest import CONTRACTS
from weibao.ledger.importer.draft import build_draft

# Held-out fields the importer gets wrong, found when the held-out set was first scored
# after tuning; kept as known misses, not tuned away (that would make it a dev set).
KNOWN_MISSES: set[tuple[str, str]] = {("h2_nanyang_yiwang", "account"), ("h2_nanyang_yiwang", "penalties")}


def _cases(name):
    for text in sorted((CONTRACTS / name).glob("*.txt")):
        expected = json.loads(text.with_suffix(".json").read_text(encoding="utf-8"))
        for field in expected:
            yield pytest.param(text, field, expected[field], id=f"{text.stem}-{field}",
                               marks=[pytest.mark.xfail(strict=True)] if (text.stem, field) in KNOWN_MISSES else [])


_drafts: dict = {}


def _draft(path):
    if path not in _drafts:
        _drafts[path] = build_draft(path.read_text(encoding="utf-8"))
    return _drafts[path]


@pytest.mark.parametrize("path, field, expected", list(_cases("dev")) + list(_cases("heldout")) + list(_cases("seed")))
def test_field(path, field, expected):
    assert compare(field, expected, _draft(path)), (field, expected, _draft(path).get(field))


@pytest.mark.parametrize("path", sorted(CONTRACTS.glob("*/*.txt")), ids=lambda p: p.stem)
def test_every_found_field_quotes_a_sentence_of_the_text(path):
    draft = _draft(path)
    text = "".join(path.read_text(encoding="utf-8").split())
    for field, sentence in draft["sources"].items():
        assert "".join(sentence.split()) in text, field
