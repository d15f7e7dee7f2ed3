"""`make bench`: run every benchmarks/bench_*.py in its own process, then print a summary.

Each benchmark prints its own table and, as its last stdout line, one JSON object; the
objects are gathered into benchmarks/results/latest.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.goals import table

HERE = Path(__file__).resolve().parent


def main() -> int:
    results: dict[str, object] = {}
    failed = []
    # the bundle first: it builds dist/NemoDesk when missing, which bench_app's frozen
    # self-test row needs (alphabetically it ran first and found no bundle)
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: (p.stem != "bench_bundle", p.stem))
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        print(f"== {name} ==", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{script.stem}"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
        )
        print(proc.stdout.rstrip())
        if proc.returncode != 0:
            print(proc.stderr.rstrip()[-2000:], file=sys.stderr)
            failed.append(name)
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    lines, results["issue_18_goals"] = table(results)
    print("\n== goals ==\n" + "\n".join(lines), flush=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
