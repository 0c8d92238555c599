"""Helpers shared by the benchmark scripts: paths, timing, tables, machine facts."""
from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = Path(os.environ.get("QA_EXTERNAL", ROOT.parent / "shared" / "bench" / "external"))
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def children(pid: int) -> list[int]:
    """The child processes of a process (a server's workers)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def pct(values: list[float], q: float) -> float:
    """Percentile (nearest rank on sorted data, q in 0..100)."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(fmt(v) for v in r) + " |")
    return "\n".join(out)


def fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{dt.date.today().isoformat()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
