"""Print per-file line coverage from `opa test --coverage` JSON (test files excluded)."""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    rows = []
    for name, entry in sorted(report.get("files", {}).items()):
        if name.endswith("_test.rego"):
            continue
        covered = sum(r["end"]["row"] - r["start"]["row"] + 1 for r in entry.get("covered", []))
        missed = sum(r["end"]["row"] - r["start"]["row"] + 1 for r in entry.get("not_covered", []))
        total = covered + missed
        rows.append((name, covered, total))
    width = max((len(r[0]) for r in rows), default=10)
    for name, covered, total in rows:
        pct = 100.0 * covered / total if total else 100.0
        print(f"  {name.ljust(width)}  {pct:6.2f}%  ({covered}/{total} lines)")
    print(f"  overall (as OPA counts it): {report.get('coverage', 0):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
