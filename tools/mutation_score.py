"""Print the mutation score of the NumPy core after ``mutmut run`` (``make mutation`` calls it).

Two numbers, as the course's maintainers report them:

* raw: mutants killed (or timed out) over mutants tested;
* non-equivalent: the same, leaving out the surviving mutants listed in
  ``tests/mutation_equivalent.toml``: mutants judged to change no behaviour, each with the reason.

Run from the repository root, after ``mutmut run``:

    python tools/mutation_score.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tests" / "mutation_equivalent.toml"


def survivors() -> list[str]:
    """Names of the surviving mutants, as ``mutmut results`` lists them."""
    out = subprocess.run([str(Path(sys.executable).with_name("mutmut")), "results"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return [line.split(":")[0].strip() for line in out.splitlines() if line.strip().endswith(": survived")]


def main() -> int:
    subprocess.run([str(Path(sys.executable).with_name("mutmut")), "export-cicd-stats"], cwd=ROOT, check=True,
                   capture_output=True)
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    tested = stats["total"] - stats["skipped"]
    killed = stats["killed"] + stats["timeout"]
    alive = survivors()
    judged = {entry["mutant"]: entry["why"] for entry in tomllib.loads(EQUIVALENT.read_text())["equivalent"]}
    equivalent = [name for name in alive if name in judged]
    stale = sorted(set(judged) - set(alive))
    print(f"mutants: {stats['total']} ({tested} tested; killed {stats['killed']}, timeout {stats['timeout']}, "
          f"survived {stats['survived']}, no tests {stats['no_tests']}, suspicious {stats['suspicious']})")
    print(f"raw score: {100 * killed / tested:.1f} % ({killed} / {tested})")
    print(f"non-equivalent score: {100 * killed / (tested - len(equivalent)):.1f} % "
          f"({killed} / {tested - len(equivalent)}; {len(equivalent)} survivors judged equivalent, see {EQUIVALENT.name})")
    unexplained = [name for name in alive if name not in judged]
    if unexplained:
        print(f"{len(unexplained)} survivor(s) not judged equivalent (inspect with `mutmut show NAME`):")
        for name in unexplained:
            print(f"  {name}")
    if stale:
        print(f"listed as equivalent but no longer surviving (remove them from {EQUIVALENT.name}): {', '.join(stale)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
