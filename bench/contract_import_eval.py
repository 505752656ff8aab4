"""Contract import quality: per-field accuracy on the seed, the development set and the
held-out sets (tests/ledger/contracts/{seed,dev,heldout,heldout_late}/, each ``name.txt`` beside the
expected ``name.json``).

Run: .venv/bin/python bench/contract_import_eval.py [--misses dev]

The held-out contracts were written before the extractors and not edited afterwards; tune
on ``dev`` (``--misses dev`` prints what was expected and what came out), read only the
figure of ``heldout``. ``heldout_late`` was written after the last tuning round and scored
once, as a second check of how far the rules generalise; it is not tuned on either. Scalar fields compare exactly; ``instalments`` compares the list of
ratios; ``penalties`` the multiset of (base, rate, per, cap); ``obligations`` whether every
expected obligation was found (extra ones are not counted against).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "tests" / "ledger" / "contracts"
SETS = ("seed", "dev", "heldout", "heldout_late")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("WEIBAO_MODE", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")


def compare(field: str, expected, draft: dict) -> bool:
    if field == "instalments":
        return [i["ratio"] for i in draft["instalments"]] == expected
    if field == "penalties":
        got = Counter((p["base"], p["rate"], p["per"], p["cap"]) for p in draft["penalties"])
        return got == Counter((p["base"], p["rate"], p["per"], p["cap"]) for p in expected)
    if field == "obligations":
        return set(expected) <= {o["key"] for o in draft["obligations"]}
    return draft.get(field) == expected


def evaluate(name: str, show_misses: bool = False) -> tuple[Counter, Counter, int]:
    from weibao.ledger.importer.draft import build_draft

    right, total, files = Counter(), Counter(), 0
    for text_path in sorted((CONTRACTS / name).glob("*.txt")):
        expected = json.loads(text_path.with_suffix(".json").read_text(encoding="utf-8"))
        draft = build_draft(text_path.read_text(encoding="utf-8"))
        files += 1
        for field, value in expected.items():
            total[field] += 1
            if compare(field, value, draft):
                right[field] += 1
            elif show_misses:
                got = draft.get(field)
                if field == "instalments":
                    got = [i["ratio"] for i in got]
                elif field == "obligations":
                    got = sorted(set(value) - {o["key"] for o in got})
                    value = "missing"
                print(f"  {text_path.stem} {field}: expected {value!r}, got {got!r}")
    return right, total, files


def main() -> None:
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", choices=SETS, action="append", default=[])
    args = parser.parse_args()
    results = {name: evaluate(name, name in args.misses) for name in SETS}
    fields = list(dict.fromkeys(f for right, total, _ in results.values() for f in total))
    print(f"{'field':<24}" + "".join(f"{name + ' (' + str(results[name][2]) + ')':>18}" for name in SETS))
    for field in fields:
        row = f"{field:<24}"
        for name in SETS:
            right, total, _ = results[name]
            row += f"{(str(right[field]) + '/' + str(total[field])) if total[field] else '-':>18}"
        print(row)
    row = f"{'all fields':<24}"
    for name in SETS:
        right, total, _ = results[name]
        share = sum(right.values()) / max(1, sum(total.values()))
        row += f"{f'{sum(right.values())}/{sum(total.values())} {share:.0%}':>18}"
    print(row)
    speed()


def speed() -> None:
    """How long a draft takes: the seed, and the largest text the API accepts."""
    import time

    from weibao.ledger.importer.draft import build_draft
    from weibao.ledger.importer.reading import MAX_TEXT_CHARS

    seed = (CONTRACTS / "seed" / "seed_htdz202602135.txt").read_text(encoding="utf-8")
    for label, text in (
        ("seed", seed),
        (f"seed repeated to {MAX_TEXT_CHARS:,} chars", (seed * (MAX_TEXT_CHARS // len(seed) + 1))[:MAX_TEXT_CHARS]),
        (f"{MAX_TEXT_CHARS:,} chars of 5-char sentences", "合同条款。" * (MAX_TEXT_CHARS // 5)),
    ):
        started = time.perf_counter()
        build_draft(text)
        print(f"draft of {label}: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
