"""Print the mutation score of the NumPy core after ``mutmut run`` (``make mutation`` calls it).

Two numbers, as the course's maintainers report them, for each mutated file and for the whole core:

* raw: mutants killed (or timed out) over mutants tested;
* non-equivalent: the same, leaving out the surviving mutants listed in
  ``tests/mutation_equivalent.toml``: mutants judged to change no behaviour, each with the reason.

A mutant mutmut has not run yet (``mutmut run NAME...`` runs only some) is
counted apart as "not checked", never as tested; the script says when the
scores cover part of the core only.

Run from the repository root, after ``mutmut run``:

    python tools/mutation_score.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tests" / "mutation_equivalent.toml"
# mutmut 3 names a mutant module.x_function__mutmut_N, or module.xǁClassǁmethod__mutmut_N for a method.
_MODULE = re.compile(r"^(?P<module>.+?)\.x[_ǁ]")
# Statuses as `mutmut results --all true` prints them: a timeout is a kill (the mutant hung the tests).
KILLED = ("killed", "timeout")
NOT_RUN = ("not checked", "skipped")


def read_results(text: str) -> dict[str, str]:
    """Each mutant's status from the lines of ``mutmut results --all true``.

    >>> read_results("    pkg.mod.x_f__mutmut_1: killed\\n    pkg.mod.x_f__mutmut_2: not checked\\n")
    {'pkg.mod.x_f__mutmut_1': 'killed', 'pkg.mod.x_f__mutmut_2': 'not checked'}
    """
    statuses = {}
    for line in text.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and _MODULE.match(name):
            statuses[name] = status
    return statuses


def module_of(mutant: str) -> str:
    """The module a mutant belongs to.

    >>> module_of("hwprune_edu.hardware.mask_stats.xǁMaskStatsǁdense__mutmut_3")
    'hwprune_edu.hardware.mask_stats'
    """
    return _MODULE.match(mutant)["module"]


def score_rows(statuses: dict[str, str], equivalent: set[str]) -> list[dict]:
    """One row of counts and scores per module, then a ``"NumPy core"`` row summing them.

    Args:
        statuses: mutant name -> mutmut status (``"killed"``, ``"survived"``, ``"not checked"``, ...).
        equivalent: names of mutants judged equivalent (only the surviving ones count as such).

    Returns:
        Dicts with ``module``, ``mutants``, ``tested``, ``killed``, ``survived``, ``equivalent``,
        ``other`` (tested, neither killed nor survived: no tests reach it, suspicious), ``not_run`` and the two scores ``raw`` and ``non_equivalent`` in percent (``None`` if nothing was tested).

    >>> rows = score_rows({"m.x_f__mutmut_1": "killed", "m.x_f__mutmut_2": "survived",
    ...                    "m.x_f__mutmut_3": "survived", "m.x_f__mutmut_4": "not checked"}, {"m.x_f__mutmut_2"})
    >>> rows[-1]["raw"], rows[-1]["non_equivalent"], rows[-1]["not_run"]
    (33.3, 50.0, 1)
    """
    groups: dict[str, Counter] = {}
    for name, status in statuses.items():
        counts = groups.setdefault(module_of(name), Counter())
        counts["mutants"] += 1
        if status in NOT_RUN:
            counts["not_run"] += 1
            continue
        counts["tested"] += 1
        if status in KILLED:
            counts["killed"] += 1
        elif status == "survived":
            counts["survived"] += 1
            counts["equivalent"] += name in equivalent
        else:  # no tests reach it, suspicious, segfault: tested, not killed
            counts["other"] += 1
    total = sum(groups.values(), Counter())

    def row(module: str, counts: Counter) -> dict:
        tested, killed, judged = counts["tested"], counts["killed"], counts["equivalent"]
        return {
            "module": module,
            **{key: counts[key] for key in ("mutants", "tested", "killed", "survived", "equivalent", "other", "not_run")},
            "raw": round(100 * killed / tested, 1) if tested else None,
            "non_equivalent": round(100 * killed / (tested - judged), 1) if tested > judged else None,
        }

    return [row(module, groups[module]) for module in sorted(groups)] + [row("NumPy core", total)]


def _percent(value) -> str:
    return "-" if value is None else f"{value:.1f} %"


def main() -> int:
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    out = subprocess.run([mutmut, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    statuses = read_results(out)
    judged = {entry["mutant"]: entry["why"] for entry in tomllib.loads(EQUIVALENT.read_text())["equivalent"]}
    rows = score_rows(statuses, set(judged))
    header = f"{'module':<40} {'mutants':>7} {'killed':>7} {'survived':>8} {'equiv.':>6} {'other':>5} {'not run':>7} {'raw':>8} {'non-equiv.':>10}"
    print(header)
    for r in rows:
        if r["module"] == "NumPy core":
            print("-" * len(header))
        print(f"{r['module']:<40} {r['mutants']:>7} {r['killed']:>7} {r['survived']:>8} {r['equivalent']:>6} "
              f"{r['other']:>5} {r['not_run']:>7} {_percent(r['raw']):>8} {_percent(r['non_equivalent']):>10}")
    core = rows[-1]
    print(f"raw score: {_percent(core['raw'])} ({core['killed']} of {core['tested']} tested mutants killed or timed out)")
    print(f"non-equivalent score: {_percent(core['non_equivalent'])} ({core['killed']} of "
          f"{core['tested'] - core['equivalent']}; {core['equivalent']} survivors judged equivalent, see {EQUIVALENT.name})")
    if core["not_run"]:
        print(f"partial run: {core['not_run']} of {core['mutants']} mutants not run yet; the scores cover the others "
              f"(`mutmut run` with no names runs them)")
    alive = [name for name, status in statuses.items() if status == "survived"]
    unexplained = [name for name in alive if name not in judged]
    if unexplained:
        print(f"{len(unexplained)} survivor(s) not judged equivalent (inspect with `mutmut show NAME`):")
        for name in unexplained:
            print(f"  {name}")
    # An entry whose mutant was killed, or no longer exists, is stale; one not run yet is not.
    stale = sorted(name for name in judged if statuses.get(name, "gone") not in ("survived", *NOT_RUN))
    if stale:
        print(f"listed as equivalent but not surviving (remove them from {EQUIVALENT.name}): {', '.join(stale)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
