"""The package as a newcomer meets it: import cost, the command line, the pinned environment."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import hwprune_edu
from hwprune_edu.course.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_cli_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"hwprune-edu {hwprune_edu.__version__}"
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    assert "make lab" in help_text and "info" in help_text and "execute" in help_text


def test_cli_info_and_no_command(capsys):
    assert main(["info"]) == 0
    assert "numpy" in capsys.readouterr().out
    assert main([]) == 0
    assert "usage: hwprune-edu" in capsys.readouterr().out


def test_cli_unknown_command_fails(capsys):
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("hwprune-edu")
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("hwprune-edu ")


def _lock():
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_lock_pins_every_course_package_exactly():
    pins = _lock()
    for required in ["jupyterlab", "numpy", "matplotlib", "ipywidgets", "nbval", "torch", "scikit-learn", "tqdm",
                     "pytest", "hypothesis"]:
        assert required in pins, f"{required} is missing from requirements-lock.txt"
    assert pins["torch"].startswith("2.13."), "the course pins torch 2.13 (CPU build)"


def test_environment_yml_installs_the_same_set():
    text = (ROOT / "environment.yml").read_text()
    pins = _lock()
    conda_names = {"torch": "pytorch-cpu"}
    for name in ["jupyterlab", "numpy", "matplotlib", "ipywidgets", "nbval", "torch", "scikit-learn", "tqdm",
                 "pytest", "hypothesis"]:
        conda = conda_names.get(name, name)
        match = re.search(rf"^\s*-\s*{re.escape(conda)}\s*[=<>]+\s*([\w.]+)", text, flags=re.MULTILINE)
        assert match, f"environment.yml does not list {conda}"
        assert pins[name].startswith(match.group(1)), f"{conda}: environment.yml {match.group(1)} vs lock {pins[name]}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    assert readme.index("make lab") < 2000 and readme.index("make test") < 2000, "the two commands come first"
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_make_lab_opens_the_start_page_from_the_repository_root():
    import os
    import shutil

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True)
    command = result.stdout.replace("\\\n", " ")
    assert "jupyter lab" in command
    assert "default_url=/lab/tree/notebooks/00_start_here.ipynb" in command
    assert f'root_dir="{ROOT}"' in command
    assert ("--allow-root" in command) == (os.getuid() == 0)


def test_every_notebook_stores_the_kernelspec_jupyterlab_writes():
    """Opening a lesson must not change a tracked file: JupyterLab rewrites a kernelspec that differs from the kernel's."""
    import json

    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    expected = {"display_name": spec.display_name, "language": spec.language, "name": "python3"}
    for path in sorted(ROOT.glob("*/*.ipynb")):
        if path.parts[-2] in ("notebooks", "solutions", "exercises"):
            assert json.loads(path.read_text())["metadata"]["kernelspec"] == expected, path.name


def test_readme_commands_run_as_written():
    """Every command line in the README is a make target or a path into .venv, never a bare `hwprune-edu`."""
    readme = (ROOT / "README.md").read_text()
    # The instructor's section is for people who run the package their own way (and is kept by its own owners).
    start = readme.find("## The instructor's path")
    if start >= 0:
        end = readme.find("\n## ", start + 1)
        readme = readme[:start] + (readme[end:] if end >= 0 else "")
    bare = re.findall(r"(?<![/\w-])hwprune-edu (?:quiz|demo|grade|execute|workspace|build-exercises)\b", readme)
    assert not bare, f"README has commands that need an activated .venv: {bare}"
    makefile = (ROOT / "Makefile").read_text()
    for target in sorted(set(re.findall(r"`make (\w[\w-]*)", readme))):
        assert re.search(rf"^{re.escape(target)}:", makefile, flags=re.MULTILINE), f"README names `make {target}`"
    assert "source .venv/bin/activate" in readme, "one line on activating .venv"
