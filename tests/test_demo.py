"""`hwprune-edu demo` on its reduced setting: the table and verdicts are printed, the pictures are written."""

import pytest

from hwprune_edu.course.cli import main

NAMES = ["dense", "unstructured_90", "uniform_channel", "hw_aware_npu-systolic", "hw_aware_cpu-avx2"]
PICTURES = ["pareto.png", "breakdown_npu-systolic.png", "breakdown_cpu-avx2.png", "roofline.png"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_quick_demo_prints_the_table_and_writes_the_pictures(tmp_path, capsys):
    out = tmp_path / "pictures"
    assert main(["demo", "--quick", "--no-progress", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("method "))
    assert lines[header].split()[-3:] == ["measured", "speed-up", "search"]
    assert [line.split()[0] for line in lines[header + 2 : header + 2 + len(NAMES)]] == NAMES
    assert "The course's targets:" in printed
    verdicts = [line for line in lines if line.startswith(("[MET]", "[MISSED]", "[SKIPPED]"))]
    assert len(verdicts) == 11 and not any(v.startswith("[SKIPPED]") for v in verdicts)  # the demo measures
    assert str(out.resolve()) in printed
    for name in PICTURES:
        path = out / name
        assert path.read_bytes()[:8] == PNG_SIGNATURE, name
        assert name in printed


def test_demo_is_listed_and_bad_settings_fail_before_training(capsys):
    assert main(["--help"]) == 0
    assert "demo" in capsys.readouterr().out
    assert main(["demo", "--budget", "1.5", "--no-progress"]) == 2
    assert "argument --budget: must be in (0, 1]" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["demo", "--help"]])
def test_demo_help_names_its_options(argv, capsys):
    assert main(argv) == 0
    text = capsys.readouterr().out
    for option in ("--out", "--quick", "--budget", "--no-measure", "--threads"):
        assert option in text


def test_a_bad_out_path_fails_at_once_with_one_line(tmp_path, capsys):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("")
    for out in (not_a_folder, not_a_folder / "pictures"):
        assert main(["demo", "--quick", "--no-progress", "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert captured.out == "", "nothing runs before the check"
        assert captured.err.count("\n") == 1 and captured.err.startswith("hwprune-edu demo: error: argument --out: must be a folder")
        assert "is a file" in captured.err
