"""Where a route's time goes: py-spy samples every worker of the app's gunicorn while wrk drives one
route. Two samplers run side by side (non-blocking: they read the workers' memory without stopping
them): one draws the flame graph (`<route>.svg`, py-spy's own), the other's collapsed stacks give the
summary in the report: the functions found in the most samples (inclusive: the function or what it
called) and those that were running themselves (self).

    bench/run --profile docs/profiles …     # after the measured series, one more run per route
"""
import re
import subprocess
from collections import Counter
from pathlib import Path

from .bench import BIN

RATE = 250  # samples per second and process
# Frames every request passes through (gunicorn's worker loop, the module): in every sample, so they
# say nothing on the inclusive side.
ALWAYS = re.compile(r"(^|/)gunicorn(/|$)")

def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def record(master_pid: int, seconds: int, out: Path) -> list[subprocess.Popen]:
    """Start sampling the gunicorn master's workers for ``seconds``: the flame graph into ``out``
    (.svg) and the collapsed stacks beside it (.txt)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    common = [str(BIN / "py-spy"), "record", "--pid", str(master_pid), "--subprocesses", "--duration",
              str(seconds), "--rate", str(RATE), "--nonblocking"]
    return [subprocess.Popen(common + ["--format", kind, "--output", str(out.with_suffix(suffix))],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for kind, suffix in (("flamegraph", ".svg"), ("raw", ".txt"))]


def frames(stack: str) -> list[str]:
    """A collapsed stack's frames, without the process names py-spy puts first (master, worker)."""
    return [frame for frame in stack.split(";") if not frame.startswith("process ")]


def function(frame: str) -> tuple[str, str]:
    """``name (path/to/pkg/file.py:12)`` → (``name (pkg/file.py)``, the path): one entry per function."""
    match = re.fullmatch(r"(.*) \((.*?)(?::\d+)?\)", frame)
    if not match:
        return frame, ""
    return f"{match[1]} ({'/'.join(match[2].split('/')[-2:])})", match[2]


def summary(collapsed: str, top: int = 12) -> dict:
    """Samples, and the shares of the functions most often on the stack and most often running."""
    inclusive, own, total = Counter(), Counter(), 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        count, named = int(count), [function(f) for f in frames(stack)]
        total += count
        for name in {name for name, path in named if not ALWAYS.search(path) and not name.startswith("<module>")}:
            inclusive[name] += count
        if named:
            own[named[-1][0]] += count
    share = (lambda n: round(n / total, 3)) if total else (lambda n: 0.0)
    return {"samples": total,
            "inclusive": [(name, share(n)) for name, n in inclusive.most_common(top)],
            "self": [(name, share(n)) for name, n in own.most_common(top)]}


def markdown(route: str, result: dict, path: str) -> str:
    lines = [f"#### {route} ({result['samples']} samples; flame graph: `{path}`)", "",
             "| on the stack (inclusive) | share | running (self) | share |", "|---|---:|---|---:|"]
    rows = max(len(result["inclusive"]), len(result["self"]))
    for i in range(rows):
        inc = result["inclusive"][i] if i < len(result["inclusive"]) else ("", None)
        own = result["self"][i] if i < len(result["self"]) else ("", None)
        lines.append(f"| {inc[0]} | {'' if inc[1] is None else f'{inc[1]:.1%}'} | {own[0]} | "
                     f"{'' if own[1] is None else f'{own[1]:.1%}'} |")
    return "\n".join(lines) + "\n"
