"""Open a course notebook in JupyterLab in headless Chromium, optionally run it, and save a screenshot.

So anyone can look at what a learner sees, without a display:

    .venv/bin/python tools/screenshot.py notebooks/00_start_here.ipynb shots/start.png --no-run
    .venv/bin/python tools/screenshot.py notebooks/00_start_here.ipynb shots/check.png --find 'check("threshold_mask"'
    .venv/bin/python tools/screenshot.py notebooks/03_hardware_simulator.ipynb shots/explorer.png --find 'sparsity_explorer()'
    .venv/bin/python tools/screenshot.py notebooks/01_concepts.ipynb shots/quiz.png --find 'for tag, group' \
        --js "document.querySelector('.widget-radio-box input').click(); \
              document.querySelector('.jp-OutputArea button.mod-primary').click()"

The notebook is copied into a scratch folder (same relative place, beside a copy
of its neighbours' folder layout), so running it never writes outputs into the
repository. ``--in-place`` opens the real file instead, never runs it, saves it
through JupyterLab and reports whether the file on disk changed: the check that
opening a lesson leaves tracked files alone.

Needs Debian's ``chromium`` (``apt-get install chromium``) and the course
environment (JupyterLab; ``websocket-client`` speaks to Chromium's DevTools port).
Everything listens on 127.0.0.1 only. As root, Chromium runs with ``--no-sandbox``
and JupyterLab with ``--allow-root``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The flags `make lab` passes (the Makefile's lab target), plus what automation needs: a fixed token,
# no browser of its own, and window.jupyterapp so the page can be driven.
LAB_FLAGS = [f"--LabApp.app_settings_dir={ROOT / 'hwprune_edu' / 'course' / 'jupyterlab'}", "--LabApp.news_url=None",
             "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True"]
CHROMIUM_FLAGS = ["--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing answered at {url} within {timeout_s:.0f} s") from None
            time.sleep(0.3)


class DevTools:
    """The smallest Chrome DevTools Protocol client: send a command, wait for its answer."""

    def __init__(self, ws_url: str) -> None:
        import websocket  # websocket-client, in the course lock

        self.ws = websocket.create_connection(ws_url, timeout=120, suppress_origin=True)
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails'].get('text')} in {expression[:80]!r}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.js(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
            time.sleep(0.5)


# The notebook panel in the main area, and whether its kernel is idle with no cell queued or running.
# (A headless window never has focus, so shell.currentWidget stays null: look the panel up among the main widgets.)
NB_PANEL = "(window.jupyterapp && [...jupyterapp.shell.widgets('main')].find(w => w.sessionContext && w.content))"
PANEL = f"{NB_PANEL}.content"
IDLE = (f"(() => {{ const p = {NB_PANEL}; const k = p && p.sessionContext.session && p.sessionContext.session.kernel;"
        " return !!(k && k.status === 'idle' && p.context.isReady"
        " && ![...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))); })()")


def shoot(notebook: Path, out: Path, *, run: bool = True, find: str | None = None, width: int = 1400,
          height: int = 900, in_place: bool = False, timeout_s: float = 180, keep_scratch: bool = False,
          script: str | None = None) -> dict:
    """Open ``notebook`` in JupyterLab, run it unless ``run`` is false, scroll to ``find``, save a PNG to ``out``.

    ``script`` is JavaScript run in the page before the screenshot (click an answer, move a slider).

    Returns a small report: the PNG's path, the cell scrolled to, and (``in_place``) whether saving the
    opened notebook through JupyterLab changed the file.
    """
    notebook = notebook.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="hwprune-shot-"))
    procs = []
    made_checkpoints = False
    try:
        if in_place:
            root, target = ROOT, notebook
            run = False
            # JupyterLab makes a checkpoint folder beside a notebook it opens: remove ours afterwards.
            checkpoints = notebook.parent / ".ipynb_checkpoints"
            made_checkpoints = not checkpoints.exists()
        else:
            root = scratch / "course"
            target = root / notebook.relative_to(ROOT)
            target.parent.mkdir(parents=True)
            shutil.copyfile(notebook, target)
        before = target.read_bytes()
        lab_port, cdp_port, token = _free_port(), _free_port(), "screenshot"
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(scratch / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"), PYTHONPATH=str(ROOT))
        lab_cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", f"--ServerApp.port={lab_port}",
                   "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", *LAB_FLAGS]
        if os.getuid() == 0:
            lab_cmd.append("--allow-root")
        procs.append(subprocess.Popen(lab_cmd, env=env, stdout=subprocess.DEVNULL, stderr=open(scratch / "lab.log", "w")))
        _wait_http(f"http://127.0.0.1:{lab_port}/api?token={token}", 60)

        chrome_cmd = [shutil.which("chromium") or "chromium", *CHROMIUM_FLAGS, f"--remote-debugging-port={cdp_port}",
                      f"--user-data-dir={scratch / 'chromium'}", f"--window-size={width},{height}", "about:blank"]
        if os.getuid() == 0:
            chrome_cmd.insert(1, "--no-sandbox")
        procs.append(subprocess.Popen(chrome_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_http(f"http://127.0.0.1:{cdp_port}/json/version", 30)
        pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{cdp_port}/json").read())
        page = next(p for p in pages if p.get("type") == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        relative = target.relative_to(root).as_posix()
        tools.call("Page.navigate", url=f"http://127.0.0.1:{lab_port}/lab/tree/{relative}?reset&token={token}")
        try:
            tools.wait_for(IDLE, timeout_s, "JupyterLab to open the notebook and start its kernel")
        except TimeoutError:
            # Keep what the page showed, to see why.
            failed = out.with_suffix(".failed.png")
            failed.write_bytes(base64.b64decode(tools.call("Page.captureScreenshot", format="png")["data"]))
            state = tools.js(f"JSON.stringify({{app: !!window.jupyterapp, url: location.href, panel: !!{NB_PANEL}}})")
            raise TimeoutError(f"JupyterLab did not open the notebook with an idle kernel ({state}); "
                               f"the page as it was: {failed}; server log: {scratch / 'lab.log'}") from None
        if run:
            tools.js(f"(() => {{ const p = {NB_PANEL}; jupyterapp.shell.activateById(p.id); "
                     "return jupyterapp.commands.execute('notebook:run-all-cells'); })()")
            time.sleep(2)
            tools.wait_for(IDLE, timeout_s, "every cell to finish")
        index = -1
        if find is not None:
            # A code cell first (its output is usually what is wanted), else any cell.
            index = tools.js(f"(() => {{ const cells = {PANEL}.widgets; const has = c => "
                             f"c.model.sharedModel.getSource().includes({json.dumps(find)}); "
                             "const i = cells.findIndex(c => c.model.type === 'code' && has(c)); "
                             "return i >= 0 ? i : cells.findIndex(has); })()")
            if index < 0:
                raise ValueError(f"find must be text in one of the notebook's cells, got {find!r}")
            tools.js(f"(async () => {{ const nb = {PANEL}; nb.activeCellIndex = {index}; "
                     f"await nb.scrollToItem({index}, 'start'); }})()")
        if script:
            time.sleep(2)
            tools.js(script)
        time.sleep(2)  # let widgets and images settle
        png = base64.b64decode(tools.call("Page.captureScreenshot", format="png")["data"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(png)
        report = {"png": str(out), "cell": index}
        if in_place:
            tools.js(f"{NB_PANEL}.context.save()")
            time.sleep(2)
            report["file_changed_by_saving"] = target.read_bytes() != before
        return report
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if in_place and made_checkpoints:
            shutil.rmtree(checkpoints, ignore_errors=True)
        if keep_scratch is False:
            shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path, help="a notebook inside the repository")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--no-run", action="store_true", help="screenshot as opened, without running the cells")
    parser.add_argument("--find", metavar="TEXT", help="scroll to the first cell whose source contains TEXT")
    parser.add_argument("--width", type=int, default=1400, help="window width in px (default 1400)")
    parser.add_argument("--height", type=int, default=900, help="window height in px (default 900)")
    parser.add_argument("--js", metavar="CODE", help="JavaScript to run in the page before the screenshot, e.g. "
                        "\"document.querySelector('.widget-radio-box input').click()\"")
    parser.add_argument("--in-place", action="store_true",
                        help="open the real file (never run), save it through JupyterLab, report if the file changed")
    args = parser.parse_args(argv)
    if ROOT not in args.notebook.resolve().parents:
        parser.error(f"notebook must be inside {ROOT}, got {args.notebook}")
    report = shoot(args.notebook, args.out, run=not args.no_run, find=args.find, width=args.width,
                   height=args.height, in_place=args.in_place, script=args.js)
    print(json.dumps(report))
    return 1 if report.get("file_changed_by_saving") else 0


if __name__ == "__main__":
    raise SystemExit(main())
