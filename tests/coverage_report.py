"""The coverage a test run measured (SlipCover's JSON), printed as one total and the least
covered modules; exits 2 when the total falls below the floor, so a change that stops
testing code fails the run like a failing test (issue 12).

    python tests/coverage_report.py var/coverage.json --floor 92 [--least 12]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def summary(report: dict) -> tuple[int, int, list[tuple[float, int, str]]]:
    """(lines run, lines in all, [(percent, lines missed, path)] least covered first)."""
    covered = missing = 0
    modules = []
    for path, data in report["files"].items():
        run, missed = len(data["executed_lines"]), len(data["missing_lines"])
        covered, missing = covered + run, missing + missed
        if run + missed:
            modules.append((100.0 * run / (run + missed), missed, path))
    modules.sort(key=lambda m: (m[0], -m[1]))
    return covered, covered + missing, modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--floor", type=float, default=0.0, help="the lowest total accepted, in percent")
    parser.add_argument("--least", type=int, default=12, help="how many of the least covered modules to list")
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text())
    except (OSError, ValueError) as exc:
        print(f"coverage: no report to read at {args.report} ({exc})", file=sys.stderr)
        return 2
    covered, lines, modules = summary(report)
    total = 100.0 * covered / lines if lines else 0.0
    print(f"Least covered modules of weibao/ ({len(modules)} measured):")
    for percent, missed, path in modules[: args.least]:
        print(f"  {percent:5.1f} %  {missed:4d} lines not run  {path}")
    print(f"Coverage of weibao/: {total:.1f} % ({covered:,} of {lines:,} lines run; floor {args.floor:.1f} %)")
    if total < args.floor:
        print(f"coverage: {total:.1f} % is below the floor of {args.floor:.1f} %", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
