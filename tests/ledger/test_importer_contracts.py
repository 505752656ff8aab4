"""Each field of the contracts written for the importer (tests/ledger/contracts/): the
development set, tuned on, and the held-out set, written before the extractors and not
tuned on. bench/contract_import_eval.py prints the same comparison as accuracy figures."""

import json

import pytest

from bench.contract_import_eval import compare
from tests.ledger.conftest import CONTRACTS
from weibao.ledger.importer.draft import build_draft

# Held-out fields the importer gets wrong, kept as known misses and not tuned away (that
# would make the held-out sets development sets). ``heldout`` was scored first after the
# first round of tuning, ``heldout_late`` once after the last.
KNOWN_MISSES: set[tuple[str, str]] = {
    # The key is wrong, not the importer: "4112 0100 0018 6652 9" is 41120100001866529 (a
    # typo made when the key was written; held-out files are not edited).
    ("h2_nanyang_yiwang", "account"),
    # "违约金总额以合同总金额的百分之五为限": a cap whose words come after the ratio.
    ("h2_nanyang_yiwang", "penalties"),
    # "单位地址：" is not among the address labels.
    ("l1_jiaozuo_zwfw", "party_a_address"),
    ("l1_jiaozuo_zwfw", "party_b_address"),
    # "第一条 项目名称" with the name on the next line: the title line is taken instead.
    ("l2_sanmenxia_yth", "name"),
    # "每半年…支付合同总额的50%" without "共两次": the count is not inferred from the term.
    ("l2_sanmenxia_yth", "instalments"),
}


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


@pytest.mark.parametrize(
    "path, field, expected",
    [case for name in ("seed", "dev", "heldout", "heldout_late") for case in _cases(name)],
)
def test_field(path, field, expected):
    assert compare(field, expected, _draft(path)), (field, expected, _draft(path).get(field))


@pytest.mark.parametrize("path", sorted(CONTRACTS.glob("*/*.txt")), ids=lambda p: p.stem)
def test_every_found_field_quotes_a_sentence_of_the_text(path):
    draft = _draft(path)
    text = "".join(path.read_text(encoding="utf-8").split())
    for field, sentence in draft["sources"].items():
        assert "".join(sentence.split()) in text, field
