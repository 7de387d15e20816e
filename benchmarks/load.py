"""``python -m benchmarks.load``: page latency of the dashboard under concurrent dispatchers.

Builds a company whose sample week has about ``--visits`` visits (the seeded generator of
``data/``, as ``benchmarks.company`` does: 1,600 customers give 1,001 visits in 2026-W49),
loads it into a fresh migrated SQLite database (or ``--database-url``), plans the week in
as-is mode (today's days and crews, each crew-day ordered: a real plan with every visit, in
seconds rather than minutes) and publishes it. The app then runs in ``--processes``
separate processes (default 1), each behind a real WSGI server (waitress, or werkzeug's
threaded server with ``--server werkzeug``), so server and clients do not share a GIL; with
several processes client ``i`` talks to process ``i mod N``, as a proxy in front of N
workers (``gunicorn -w N``) would spread them. ``--clients`` threads each sign in
through the real form (CSRF on) with their own ``requests.Session`` and fetch the pages in
turn; ``--requests`` is the total number of measured requests, after one unmeasured round
per client. Latency is measured at the client, from sending the request to having read the
whole body.

Writes ``OUT/load.json`` with p50/p95/p99/mean/max per page and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_OUT = Path("benchmarks/out/load")
#: Customers per visit of the generated company's sample week (1,600 -> 1,001 visits).
CUSTOMERS_PER_VISIT = 1.6
GOAL_P95_MS = 150.0


@dataclass(frozen=True)
class Page:
    name: str
    path: str


def pages_for(plan_id: int) -> list[Page]:
    """The board and the plan pages, plus the plan's visits through the API."""
    return [
        Page("board", f"/plans/{plan_id}/board"),
        Page("plan", f"/plans/{plan_id}"),
        Page("plans", "/plans"),
        Page("map", f"/plans/{plan_id}/map"),
        Page("diff", f"/plans/{plan_id}/diff"),
        Page("api_visits", f"/api/plans/{plan_id}/visits"),
    ]


# --- the data ------------------------------------------------------------------------------


def prepare(visits: int, workdir: Path, database_url: str | None, seed: int, week: str,
            log: Any = print) -> tuple[str, int, dict[str, Any]]:
    """Generate, load, plan (as-is) and publish; returns (database url, plan id, facts)."""
    from benchmarks.company import generate_company
    from crm.db import make_engine, make_session_factory
    from dashboard.demo import load_demo
    from dashboard.migrate import upgrade_database
    from optimizer import SolveParams
    from scheduling.planning import parse_week, plan_week
    from scheduling.plans import load_plan, publish

    customers = round(visits * CUSTOMERS_PER_VISIT)
    data_dir = workdir / "data"
    t = time.perf_counter()
    generate_company(customers, data_dir, seed)
    log(f"generated {customers} customers in {time.perf_counter() - t:.1f} s")
    url = database_url or f"sqlite:///{(workdir / 'load.sqlite3').as_posix()}"
    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with factory.begin() as session:
            load_demo(session, data_dir)
        t = time.perf_counter()
        plan_id = plan_week(factory, parse_week(week), SolveParams(time_limit_s=10.0),
                            mode="as_is", created_by="benchmarks.load")
        plan_s = time.perf_counter() - t
        with factory.begin() as session:
            publish(session, plan_id)
        with factory() as session:
            plan = load_plan(session, plan_id)
            facts = {"customers": customers, "visits": len(plan.visits),
                     "unplaced": len(plan.unplaced), "plan_s": round(plan_s, 1),
                     "crews": len({v.crew_id for v in plan.visits})}
    finally:
        engine.dispose()
    log(f"plan {plan_id}: {facts['visits']} visits of {facts['crews']} crews "
        f"({facts['unplaced']} unplaced), planned in {facts['plan_s']} s and published")
    return url, plan_id, facts


# --- the server ----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _total_cpu(pids: Sequence[int]) -> float | None:
    times = [cpu_seconds(pid) for pid in pids]
    return sum(t for t in times if t is not None) if pids and None not in times else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(server: str, port: int, threads: int) -> None:
    """Serve the app (DATABASE_URL and SECRET_KEY from the environment) until killed."""
    from dashboard import create_app

    app = create_app()
    if server == "waitress":
        from waitress import serve as waitress_serve

        waitress_serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True)
    else:
        from werkzeug.serving import run_simple

        run_simple("127.0.0.1", port, app, threaded=True)


def start_server(url: str, server: str, threads: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-benchmark-key"}
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.load", "--serve", server, "--port", str(port),
         "--threads", str(threads)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{base}/api/health", timeout=2).status_code == 200:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not answer within 60 s")


# --- the clients ---------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in_session(base: str, email: str, password: str) -> Any:
    import requests

    session = requests.Session()
    form = session.get(f"{base}/login", timeout=30).text
    match = _CSRF.search(form)
    data = {"email": email, "password": password, "csrf_token": match.group(1) if match else ""}
    response = session.post(f"{base}/login", data=data, allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed with {response.status_code}")
    return session


def run_clients(bases: Sequence[str], pages: Sequence[Page], clients: int,
                requests_total: int, email: str, password: str,
                server_pids: Sequence[int] = (),
                ) -> tuple[list[tuple[str, float, int]], float, float | None]:
    """Each client: one unmeasured round over the pages, then its share of requests.

    Returns the (page, ms, status) of every measured request, the wall time of the measured
    phase and the servers' CPU seconds in it (None where ``/proc`` is missing).
    """
    sessions = [signed_in_session(bases[i % len(bases)], email, password)
                for i in range(clients)]
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        session, base = sessions[index], bases[index % len(bases)]
        for page in pages:
            _ = session.get(base + page.path, timeout=120).content
        barrier.wait()
        share = requests_total // clients + (1 if index < requests_total % clients else 0)
        own = []
        for k in range(share):
            page = pages[(index + k) % len(pages)]
            started = time.perf_counter()
            response = session.get(base + page.path, timeout=120)
            _ = response.content
            own.append((page.name, (time.perf_counter() - started) * 1000, response.status_code))
        with lock:
            results.extend(own)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    cpu_start = _total_cpu(server_pids)
    for thread in threads:
        thread.join()
    wall_s = time.perf_counter() - started
    cpu_end = _total_cpu(server_pids)
    for session in sessions:
        session.close()
    cpu_s = cpu_end - cpu_start if cpu_start is not None and cpu_end is not None else None
    return results, wall_s, cpu_s


def summarize(results: Sequence[tuple[str, float, int]],
              order: Sequence[str] = ()) -> dict[str, dict[str, float]]:
    """Latency percentiles per page (in ``order``) and over all requests."""
    by_page: dict[str, list[tuple[float, int]]] = {name: [] for name in order}
    for name, ms, status in results:
        by_page.setdefault(name, []).append((ms, status))
    by_page["all"] = [(ms, status) for _, ms, status in results]
    summary = {}
    for name, rows in by_page.items():
        if not rows:
            continue
        values = np.array([ms for ms, _ in rows])
        p50, p95, p99 = np.percentile(values, [50, 95, 99])
        summary[name] = {
            "requests": len(rows),
            "errors": sum(1 for _, status in rows if status != 200),
            "p50_ms": round(float(p50), 1),
            "p95_ms": round(float(p95), 1),
            "p99_ms": round(float(p99), 1),
            "mean_ms": round(float(values.mean()), 1),
            "max_ms": round(float(values.max()), 1),
        }
    return summary


def format_table(summary: dict[str, dict[str, float]]) -> str:
    lines = ["| page | requests | errors | p50 ms | p95 ms | p99 ms | mean ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in summary.items():
        lines.append(f"| {name} | {s['requests']} | {s['errors']} | {s['p50_ms']} | "
                     f"{s['p95_ms']} | {s['p99_ms']} | {s['mean_ms']} | {s['max_ms']} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=1000, help="visits in the week (about)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="measured requests in all")
    parser.add_argument("--server", choices=["waitress", "werkzeug"], default="waitress")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--processes", type=int, default=1, help="server processes")
    parser.add_argument("--week", default="2026-W49")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="an empty database (default: "
                        "a temporary SQLite file)")
    parser.add_argument("--pages", default=None, help="comma-separated page names to measure")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--serve", choices=["waitress", "werkzeug"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.threads)
        return 0

    from benchmarks.company import machine_note
    from dashboard.demo import DISPATCHER_EMAIL, DISPATCHER_PASSWORD

    command = "python -m benchmarks.load " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="rounds-load-") as tmp:
        url, plan_id, facts = prepare(args.visits, Path(tmp), args.database_url, args.seed,
                                      args.week)
        servers: list[tuple[subprocess.Popen[bytes], str]] = []
        try:
            for _ in range(args.processes):
                servers.append(start_server(url, args.server, args.threads))
            bases = [base for _, base in servers]
            base = bases[0]
            pages = pages_for(plan_id)
            if args.pages:
                wanted = set(args.pages.split(","))
                pages = [p for p in pages if p.name in wanted]
            probe = signed_in_session(base, DISPATCHER_EMAIL, DISPATCHER_PASSWORD)
            missing = [p.name for p in pages if probe.get(base + p.path).status_code != 200]
            probe.close()
            pages = [p for p in pages if p.name not in missing]
            if missing:
                print(f"not measured (no 200 answer): {', '.join(missing)}")
            results, wall_s, cpu_s = run_clients(bases, pages, args.clients, args.requests,
                                                 DISPATCHER_EMAIL, DISPATCHER_PASSWORD,
                                                 [process.pid for process, _ in servers])
        finally:
            for process, _ in servers:
                process.terminate()
            for process, _ in servers:
                process.wait(timeout=30)
    summary = summarize(results, [p.name for p in pages])
    document = {
        "benchmark": "load",
        "command": command,
        "machine": machine_note(),
        "server": (args.server if args.server == "werkzeug"
                   else f"waitress ({args.threads} threads)"),
        "processes": args.processes,
        "database": "PostgreSQL" if args.database_url else "SQLite (file, WAL)",
        "clients": args.clients,
        "requests": args.requests,
        "wall_s": round(wall_s, 2),
        "throughput_rps": round(len(results) / wall_s, 1) if wall_s else None,
        # The servers' CPU time over the measured phase, per request: one process (one GIL)
        # can answer at most 1000 / this requests per second.
        "server_cpu_ms_per_request": (
            round(cpu_s * 1000 / len(results), 1) if cpu_s is not None and results else None
        ),
        "load_average_after": round(os.getloadavg()[0], 2),
        "plan_id": plan_id,
        "pages": {p.name: p.path for p in pages},
        "not_measured": missing,
        "goal_p95_ms": GOAL_P95_MS,
        **facts,
        "summary": summary,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(format_table(summary))
    print(f"{len(results)} requests in {wall_s:.1f} s ({document['throughput_rps']} req/s, "
          f"server CPU {document['server_cpu_ms_per_request']} ms per request); "
          f"wrote {args.out / 'load.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
