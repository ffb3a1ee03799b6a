"""Learner code cannot crash, hang or fool the checks: sandbox, transport and report."""

from __future__ import annotations

import threading
import types
from pathlib import Path

import numpy as np
import pytest

from hwprune_edu.grading import check, sandbox, transport
from hwprune_edu.grading.report import Case, Report, Summary
from hwprune_edu.grading.checks import summary


def test_exceptions_become_failed_cases_with_the_learners_line():
    def broken(weights, threshold):
        values = sorted(weights.ravel())
        return values[100]

    report = check("threshold_mask", broken)
    assert not report.passed
    case = report.cases[0]
    assert case.status == "error" and "IndexError" in case.message and "values[100]" in case.message


def test_not_implemented_is_reported_kindly_and_stops_early():
    def stub(weights, amount):
        """Docstring kept by the builder."""
        raise NotImplementedError()

    report = check("magnitude_mask", stub)
    assert report.not_implemented and report.status == "not implemented"
    assert "not implemented yet" in str(report) and "Traceback" not in str(report)
    assert "not implemented yet" in report._repr_html_()


@pytest.mark.parametrize("returned", [None, "mask", {"a": 1}, 3.5, [[1, 0], [1]]])
def test_wrong_types_fail_with_a_message(returned):
    report = check("threshold_mask", lambda weights, threshold: returned)
    assert not report.passed
    assert all(c.message for c in report.cases)


def test_infinite_loop_times_out_once_then_skips():
    def spin(weights, threshold):
        while True:
            pass

    report = check("threshold_mask", spin, timeout_s=0.2)
    assert report.cases[0].status == "timeout"
    assert {c.status for c in report.cases[1:]} == {"skipped"}


def test_a_loop_that_swallows_exceptions_still_times_out():
    def stubborn(weights, threshold):
        while True:
            try:
                sum(range(1000))
            except Exception:
                pass

    outcome = sandbox.call_safely(stubborn, (np.ones(2), 0.1), {}, timeout_s=0.2)
    assert outcome["status"] == "timeout"


def test_timeout_off_the_main_thread_uses_a_worker_thread():
    result = {}

    def spin(weights, threshold):
        while True:
            pass

    worker = threading.Thread(target=lambda: result.setdefault("report", check("threshold_mask", spin, timeout_s=0.2)))
    worker.start()
    worker.join(10)
    assert result["report"].cases[0].status == "timeout"


def test_sys_exit_in_learner_code_does_not_end_the_process():
    def leave(weights, threshold):
        raise SystemExit(3)

    assert check("threshold_mask", leave).cases[0].status == "error"


def test_mutating_the_input_fails_and_says_where():
    def in_place(weights, threshold):
        weights[np.abs(weights) <= threshold] = 0
        return weights != 0

    report = check("threshold_mask", in_place)
    failing = [c for c in report.cases if not c.passed]
    assert failing and all("changed its input" in c.message for c in failing)
    assert "weights[" in failing[0].message and failing[0].mistake == "mutated_input"


def test_each_case_gets_fresh_arguments():
    seen = []

    def remember(weights, threshold):
        seen.append(weights)
        return np.abs(weights) > threshold

    check("threshold_mask", remember)
    assert len({id(w) for w in seen}) == len(seen)


def test_a_reused_output_buffer_is_judged_as_returned():
    buffer = {}

    def reuse(weights, amount):
        out = buffer.setdefault(weights.shape, np.zeros(weights.shape, dtype=bool))
        out[...] = np.abs(weights) > 10  # wrong answers, but each judged as it was
        return out

    assert not check("magnitude_mask", reuse).passed


def test_printing_is_captured():
    def chatty(weights, threshold):
        print("debugging " * 100)
        return np.abs(weights) > threshold

    outcome = sandbox.call_safely(chatty, (np.ones(2), 0.5), {}, timeout_s=1)
    assert outcome["status"] == "ok" and outcome["printed"].startswith("debugging")


def test_describe_change_finds_nested_changes():
    before = {"weights": [np.zeros(3), np.ones(2)]}
    after = {"weights": [np.zeros(3), np.array([1.0, 5.0])]}
    assert sandbox.describe_change(before, after, "network") == "network['weights'][1][1] changed from 1.0 to 5.0"
    assert sandbox.describe_change([1, 2], [1, 2, 3], "layers").startswith("layers changed length")


def test_sandbox_and_transport_are_self_contained():
    # The batch grader execs their source in a fresh module inside the learner's kernel.
    for module in (sandbox, transport):
        fresh = types.ModuleType(f"_fresh_{module.__name__.rsplit('.', 1)[1]}")
        source = Path(module.__file__).read_text()
        assert "hwprune_edu" not in "".join(l for l in source.splitlines() if l.startswith(("import", "from")))
        exec(compile(source, "<fresh>", "exec"), fresh.__dict__)
    assert fresh.decode(fresh.encode((1, np.arange(2)))).__class__ is tuple


# ---------------------------------------------------------------- transport

class Sneaky(np.ndarray):
    def __eq__(self, other):  # would make every comparison "pass"
        return np.ones(self.shape, dtype=bool)


def test_transport_keeps_data_and_drops_behaviour():
    sneaky = np.zeros(3).view(Sneaky)
    value = {"mask": sneaky, "n": np.int64(3), "x": float("nan"), (1, 2): [True, None], "s": "text"}
    back = transport.decode(transport.loads(transport.dumps(transport.encode(value))))
    assert type(back["mask"]) is np.ndarray and back["mask"].tolist() == [0.0, 0.0, 0.0]
    assert back["n"] == 3 and np.isnan(back["x"]) and back[(1, 2)] == [True, None] and back["s"] == "text"


def test_transport_makes_unknown_objects_opaque():
    back = transport.decode(transport.encode(object()))
    assert isinstance(back, transport.Opaque) and back.type_name == "object"
    report = check("threshold_mask", lambda weights, threshold: object())
    assert "object" in report.cases[0].message


def test_transport_converts_array_likes():
    class Tensorish:
        def __array__(self, dtype=None, copy=None):
            return np.array([True, False])

    assert transport.decode(transport.encode(Tensorish())).tolist() == [True, False]


# ---------------------------------------------------------------- report

def _report() -> Report:
    return Report("magnitude_mask", [
        Case("public 1", True),
        Case("hidden 2 (ties)", False, "pruned 3 of 4 entries, expected exactly 2", hint="prune exactly k <here>",
             input="weights=[0.5, 0.5], amount=2", mistake="ties_threshold"),
        Case("hidden 3", True, note="accepted: 0/1 ints"),
    ])


def test_report_properties():
    report = _report()
    assert not report.passed and report.score == pytest.approx(2 / 3)
    assert report.mistakes == {"ties_threshold"} and report.notes == ["accepted: 0/1 ints"]


def test_report_html_is_a_compact_coloured_table_with_the_failing_input():
    html = _report()._repr_html_()
    assert html.startswith("<table") and "#fce8e6" in html and "#e6f4ea" in html
    assert "weights=[0.5, 0.5]" in html and "&lt;here&gt;" in html  # escaped
    assert html.count("<tr") == 4  # headline, one failure, passed line, note


def test_report_text_is_plain():
    text = str(_report())
    assert text.splitlines()[0] == "magnitude_mask: 2/3 cases passed (score 0.67)"
    assert "hint: prune exactly k" in text and "<" not in text.replace("<here>", "")


def test_summary_lists_every_exercise_of_a_notebook():
    check("nm_mask", lambda weights, n=2, m=4, *, axis=1: None)
    shown = summary("02_structured_masks")
    assert [name for name, _ in shown.reports] == ["structured_mask", "nm_mask", "block_mask"]
    assert "nm_mask" in str(shown) and "fail" in str(shown)
    assert "<table" in shown._repr_html_() and not shown.passed
    assert isinstance(summary(), Summary)
    with pytest.raises(ValueError):
        summary("99_nothing")


def test_report_cells_are_left_aligned_whatever_the_notebook_css():
    import re

    report = check("magnitude_mask", lambda weights, amount: np.ones(np.shape(weights), dtype=bool))
    cells = re.findall(r"<t[dh][^>]*>", report._repr_html_())
    assert cells and all("text-align:left" in c for c in cells)
    cells = re.findall(r"<t[dh][^>]*>", summary("01_weight_pruning")._repr_html_())
    assert cells and all("text-align:left" in c for c in cells)


def test_a_c_call_that_overran_its_limit_is_reported_honestly():
    big = np.ones((4000, 4000))

    def slow(weights, threshold):
        big @ big  # one long C call (~128 GFLOP, about a second on 2 cores): no Python signal handler runs until it returns
        return np.abs(weights) > threshold

    report = check("threshold_mask", slow, timeout_s=0.1)
    message = report.cases[0].message
    assert report.cases[0].status == "timeout" and "over the 0.1 s limit" in message and "cannot be stopped" in message
