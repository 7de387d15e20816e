"""Peak memory of one benchmark step: this process plus its live child processes, over time.

``ru_maxrss`` is a high-water mark over a process's whole life, and for children only that of
the largest one waited for: after a few scenarios it says how much the worst moment of the
whole run took, not what one scenario needs, and it never adds up processes alive at the same
time. :class:`PeakMemory` samples instead, every ``interval`` seconds in a thread, the resident
memory of this process plus that of every live descendant (spawned search workers), and keeps
the largest sum. On Linux it reads ``/proc``; elsewhere it falls back to ``ru_maxrss`` of this
process alone.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
MB = 1024 * 1024


def _rss_bytes(pid: int) -> int:
    """Resident bytes of ``pid`` (0 when it has ended)."""
    try:
        pages = int((PROC / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _descendants(root: int) -> list[int]:
    """Live processes below ``root`` (children, grandchildren...), from each process's parent."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


class PeakMemory:
    """Context manager: ``peak_mb`` (process + children) and ``peak_children_mb`` inside it."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self.peak_children = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)
        self._proc = PROC.joinpath("self", "statm").exists()

    def sample(self) -> None:
        """Add one sample now."""
        if not self._proc:
            scale = 1 if sys.platform == "darwin" else 1024
            self.peak = max(self.peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale)
            return
        me = os.getpid()
        children = sum(_rss_bytes(pid) for pid in _descendants(me))
        self.peak_children = max(self.peak_children, children)
        self.peak = max(self.peak, _rss_bytes(me) + children)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> PeakMemory:
        self.sample()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def peak_mb(self) -> float:
        return round(self.peak / MB, 1)

    @property
    def peak_children_mb(self) -> float:
        return round(self.peak_children / MB, 1)
