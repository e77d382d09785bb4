"""A pytest plugin that prints the CPU time each test module costs: ``pytest -p tests.cpu_budget``.

On a shared, loaded machine wall time says more about the neighbours than about the tests, so the
figure docs/testing.md compares is CPU time (user + system) of everything a test makes work: the
pytest process and every process below it (uvicorn servers, ``enforce serve``, Chromium, FFmpeg),
plus the embedded PostgreSQL server (its own process tree, found through ``postmaster.pid``), whose
backends do the queries. A module's figure includes the session fixtures its first test started.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from pathlib import Path

import psutil
import pytest

_TOP = 40


def _tree_cpu(root: psutil.Process, seen: set[int]) -> float:
    """User + system CPU seconds of ``root`` and its descendants alive now, including their reaped children."""
    total = 0.0
    try:
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for proc in family:
        if proc.pid in seen:
            continue
        seen.add(proc.pid)
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


class CpuBudget:
    def __init__(self, basetemp: Path) -> None:
        self.basetemp = basetemp
        self.servers: list[psutil.Process] = []
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.started = (time.monotonic(), self.now())
        self.first_test: tuple[float, float] | None = None

    def postmasters(self) -> list[psutil.Process]:
        """The embedded PostgreSQL servers under the run's temporary folder (looked for until found)."""
        if not self.servers:
            for pid_file in self.basetemp.glob("*/postgres/**/postmaster.pid"):
                with contextlib.suppress(OSError, ValueError, IndexError, psutil.Error):
                    self.servers.append(psutil.Process(int(pid_file.read_text().split()[0])))
        return self.servers

    def now(self) -> float:
        seen: set[int] = set()
        total = _tree_cpu(psutil.Process(os.getpid()), seen)
        return total + sum(_tree_cpu(p, seen) for p in self.postmasters())

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item):
        before = (time.monotonic(), self.now())
        self.first_test = self.first_test or before
        yield
        module = item.nodeid.split("::")[0]
        self.wall[module] += time.monotonic() - before[0]
        self.cpu[module] += self.now() - before[1]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        end = (time.monotonic(), self.now())
        first = self.first_test or end
        write = terminalreporter.write_line
        terminalreporter.section("CPU time per test module (user + system, s)")
        write(f"{'cpu s':>8} {'wall s':>8}  module")
        for module in sorted(self.cpu, key=self.cpu.__getitem__, reverse=True)[:_TOP]:
            write(f"{self.cpu[module]:8.1f} {self.wall[module]:8.1f}  {module}")
        write(f"{first[1] - self.started[1]:8.1f} {first[0] - self.started[0]:8.1f}  (start-up and collection)")
        whole = f"(whole run, {len(self.cpu)} modules, {len(self.servers)} PostgreSQL)"
        write(f"{end[1] - self.started[1]:8.1f} {end[0] - self.started[0]:8.1f}  {whole}")


def pytest_sessionstart(session: pytest.Session) -> None:
    basetemp = session.config._tmp_path_factory.getbasetemp()  # the embedded servers' data are below it
    session.config.pluginmanager.register(CpuBudget(basetemp), "cpu-budget")
