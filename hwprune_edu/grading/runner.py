"""The program that runs one submission inside the grader's sandbox, driven one request at a time.

``hwprune-edu grade`` starts this file as a script (``python -P runner.py
SANDBOX TRANSPORT LIMITS``), in a confined process (see
:mod:`~hwprune_edu.grading.confine`), and talks to it over its standard
input and output, one JSON object per line:

* ``{"op": "cell", "index": i, "source": ..., "timeout_s": t}``: run one code
  cell of the notebook in an IPython shell; reply whether it raised;
* ``{"op": "resolve", "exercise": id, "expression": text}``: find the
  learner's function; reply its module and name;
* ``{"op": "call", "exercise": id, "args": ..., "kwargs": ..., ...}``: call it
  on *one* case, whose inputs arrive only now; reply the raw outcome, its
  output as plain data (``transport.encode``);
* ``{"op": "bye"}``.

The runner never sees the seed, the other cases, the expected outputs or the
judges' verdicts: the grader draws the cases and judges the outcomes in its
own process. The learner's code shares this process, so it can tamper with
anything here; all it can change is its own replies, which the grader reads
as untrusted data. What learner code prints is counted and dropped (the
first few lines are kept for the row's warnings); file descriptors 1 and 2
lead to ``/dev/null``, so nothing it writes reaches the grader's terminal.

This file imports only the standard library (and IPython, and NumPy through
the grader's sandbox code); it is not imported by the package.
"""

import io
import json
import os
import signal
import sys
import types

_MAX_KEPT_CHARS = 2000         # of what a cell printed, kept for the row's warning
_MAX_REPLY_BYTES = 16 << 20    # a reply larger than this is replaced by a "too large" record


class CellTimeout(BaseException):
    """Raised in a cell that ran past its time limit (a BaseException: `except Exception` cannot swallow it)."""


class _CappedText(io.TextIOBase):
    """A write-only text stream that keeps the first characters and counts the rest."""

    def __init__(self) -> None:
        self.kept, self.count = [], 0

    def write(self, text):  # noqa: D401 - the stream protocol
        text = str(text)
        room = _MAX_KEPT_CHARS - min(self.count, _MAX_KEPT_CHARS)
        if room > 0:
            self.kept.append(text[:room])
        self.count += len(text)
        return len(text)

    def writable(self):
        return True

    def reset(self):
        count, self.kept, self.count = self.count, [], 0
        return count


def _load(name, path):
    """The grader's sandbox or transport module, from its source, in a module of its own."""
    module = types.ModuleType("_hwprune_grader_" + name)
    module.__file__ = path
    with open(path) as handle:
        exec(compile(handle.read(), path, "exec"), module.__dict__)
    return module


def _set_limits(limits):
    import resource

    for name, value in limits.items():
        kind = getattr(resource, name)
        soft, hard = resource.getrlimit(kind)
        value = int(value)
        new_hard = value if hard == resource.RLIM_INFINITY or value < hard else hard
        resource.setrlimit(kind, (min(value, new_hard), new_hard))


def main(argv):
    sandbox_path, transport_path, limits = argv[1], argv[2], json.loads(argv[3])
    # The protocol keeps private copies of stdin/stdout; fds 0, 1 and 2 then lead nowhere.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    printed = _CappedText()
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), printed, printed
    _set_limits(limits)
    sandbox, transport = _load("sandbox", sandbox_path), _load("transport", transport_path)
    dumps, loads = json.dumps, json.loads  # bound now: a notebook that patches json changes nothing here

    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    functions = {}

    def reply(message):
        text = dumps(message)
        if len(text) > _MAX_REPLY_BYTES:
            text = dumps({"status": "error", "output": None, "mutated": None, "printed": "",
                          "error": {"type": "TooLarge", "line": "", "lineno": None,
                                    "message": f"the returned value is {len(text) >> 20} MiB as data; "
                                               "the grader accepts at most 16 MiB"}})
        replies.write(text + "\n")
        replies.flush()

    def on_alarm(signum, frame):
        raise CellTimeout()

    def run_cell(request):
        printed.reset()
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(request["timeout_s"]), 0.05)
        try:
            try:
                result = shell.run_cell(request["source"], store_history=False)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout:  # landed outside the learner's code
            result = None
        error = None if result is None else (result.error_before_exec or result.error_in_exec)
        timed_out = result is None or isinstance(error, CellTimeout)
        text = ""
        if error is not None and not timed_out:
            try:
                text = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
            except BaseException:  # an exception whose message itself raises
                text = type(error).__name__
        kept = "".join(printed.kept)
        return {"ok": error is None and not timed_out, "timeout": timed_out, "error": text[:300],
                "printed_chars": printed.reset(), "printed": kept[:300]}

    def resolve(request):
        expression = request["expression"]
        namespace = shell.user_ns
        try:
            parts = expression.split(".")
            if all(p.isidentifier() for p in parts):  # a name: looked up, never evaluated
                fn = namespace[parts[0]]
                for part in parts[1:]:
                    fn = getattr(fn, part)
            else:
                fn = eval(compile(expression, "<check call>", "eval"), namespace)
        except BaseException as error:
            return {"ok": False, "message": f"{type(error).__name__}: {error}"[:300]}
        if not callable(fn):
            return {"ok": False, "message": f"{expression} is not a function"[:300]}
        functions[request["exercise"]] = fn
        try:
            module, name = str(getattr(fn, "__module__", "")), str(getattr(fn, "__name__", ""))
        except BaseException:
            module, name = "", ""
        return {"ok": True, "module": module[:200], "name": name[:200]}

    def call(request):
        fn = functions[request["exercise"]]
        args, kwargs = transport.decode(request["args"]), transport.decode(request["kwargs"])
        outcome = sandbox.call_safely(fn, args, kwargs, timeout_s=float(request["timeout_s"]),
                                      snapshot=transport.encode, arg_names=request["arg_names"])
        printed.reset()
        return outcome

    handlers = {"cell": run_cell, "resolve": resolve, "call": call}
    reply({"op": "ready"})
    for line in requests:
        request = loads(line)
        if request.get("op") == "bye":
            break
        try:
            reply(handlers[request["op"]](request))
        except BaseException as error:  # the runner's own trouble, or learner code reaching past call_safely
            reply({"status": "error", "ok": False, "output": None, "mutated": None, "printed": "",
                   "error": {"type": "GraderRunnerError", "message": f"{type(error).__name__}", "line": "",
                             "lineno": None}})
    replies.flush()
    os._exit(0)  # no atexit hooks of learner code


if __name__ == "__main__":
    main(sys.argv)
