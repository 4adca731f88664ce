"""A bounded HTTP load generator for the PlanQA API (loopback only).

It sends a *fixed* number of requests with a fixed number of concurrent clients and
stops by itself: when every request was sent and answered, or when ``max_seconds`` has
passed (whatever is still running is cancelled and counted as a timeout). It never
retries, so every server error or timeout shows up in the figures.

Used by ``tests/reliability`` (``make check-reliability``); also runnable by hand::

    python -m eval.loadgen --url http://127.0.0.1:8000 -n 2000 -c 16

Only loopback URLs are accepted: this is a test tool, not a way to load someone else's
server.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlparse

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# A request spec: (method, path, json body or None). ``make_request(i)`` returns one.
RequestSpec = tuple[str, str, Any]
# ``check(i, spec, status, body)`` returns None when the answer is right, else a message.
Checker = Callable[[int, RequestSpec, int, Any], "str | None"]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class LoadResult:
    requests: int                       # requests asked for
    concurrency: int
    sent: int = 0                       # requests that left the client
    ok: int = 0                         # 2xx
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0              # 5xx
    client_errors: int = 0              # 4xx
    timeouts: int = 0                   # no answer within the per-request timeout
    transport_errors: int = 0           # connection refused/reset, protocol errors
    wrong_answers: int = 0              # 2xx whose body failed ``check``
    wrong_examples: list[str] = field(default_factory=list)
    error_examples: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)   # answered requests only
    duration_s: float = 0.0
    stopped_by_deadline: bool = False

    @property
    def errors(self) -> int:
        return self.server_errors + self.timeouts + self.transport_errors

    def summary(self) -> dict:
        lat = self.latencies_ms
        return {
            "requests": self.requests, "concurrency": self.concurrency, "sent": self.sent, "ok": self.ok,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "server_errors_5xx": self.server_errors, "client_errors_4xx": self.client_errors,
            "timeouts": self.timeouts, "transport_errors": self.transport_errors,
            "wrong_answers": self.wrong_answers, "errors_total": self.errors,
            "p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
            "p99_ms": round(percentile(lat, 99), 1), "max_ms": round(max(lat), 1) if lat else 0.0,
            "mean_ms": round(sum(lat) / len(lat), 1) if lat else 0.0,
            "duration_s": round(self.duration_s, 2),
            "throughput_rps": round(len(lat) / self.duration_s, 2) if self.duration_s else 0.0,
            "stopped_by_deadline": self.stopped_by_deadline,
            "wrong_examples": self.wrong_examples[:5], "error_examples": self.error_examples[:5],
        }


def check_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"loadgen only targets loopback servers, not {host!r}")


async def run_load_async(base_url: str, make_request: Callable[[int], RequestSpec], requests: int,
                         concurrency: int = 16, timeout_s: float = 60.0, max_seconds: float = 900.0,
                         check: Checker | None = None, headers: dict | None = None,
                         keepalive: bool = True) -> LoadResult:
    """``keepalive=False`` opens a new connection for every request (many separate clients):
    uvicorn's workers share one listening socket, so a few long-lived connections may all
    be accepted by the same worker, while fresh connections spread over the workers."""
    import httpx

    check_loopback(base_url)
    res = LoadResult(requests=requests, concurrency=concurrency)
    next_index = 0
    start = time.perf_counter()
    deadline = start + max_seconds

    async def client(http: "httpx.AsyncClient") -> None:
        nonlocal next_index
        while True:
            if next_index >= requests or time.perf_counter() >= deadline:
                return
            i = next_index
            next_index += 1
            method, path, body = spec = make_request(i)
            res.sent += 1
            t0 = time.perf_counter()
            try:
                r = await http.request(method, path, json=body, timeout=timeout_s)
            except httpx.TimeoutException as exc:
                res.timeouts += 1
                res.error_examples.append(f"#{i} {method} {path}: timeout {type(exc).__name__}")
                continue
            except httpx.HTTPError as exc:
                res.transport_errors += 1
                res.error_examples.append(f"#{i} {method} {path}: {type(exc).__name__}: {exc}")
                continue
            res.latencies_ms.append((time.perf_counter() - t0) * 1000)
            res.statuses[r.status_code] += 1
            if r.status_code >= 500:
                res.server_errors += 1
                res.error_examples.append(f"#{i} {method} {path}: HTTP {r.status_code} {r.text[:200]}")
            elif r.status_code >= 400:
                res.client_errors += 1
            else:
                res.ok += 1
            if check is not None:
                try:
                    data = r.json()
                except ValueError:
                    data = r.text
                problem = check(i, spec, r.status_code, data)
                if problem:
                    res.wrong_answers += 1
                    res.wrong_examples.append(f"#{i}: {problem}")

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency if keepalive else 0)
    headers = {**(headers or {}), **({} if keepalive else {"Connection": "close"})}
    async with httpx.AsyncClient(base_url=base_url, limits=limits, headers=headers, trust_env=False) as http:
        tasks = [asyncio.create_task(client(http)) for _ in range(concurrency)]
        remaining = max(1.0, deadline - time.perf_counter() + timeout_s)
        done, pending = await asyncio.wait(tasks, timeout=remaining)
        for t in pending:                       # stop by ourselves, whatever happens
            t.cancel()
            res.timeouts += 1
            res.stopped_by_deadline = True
        for t in done:
            if t.exception() is not None:
                res.transport_errors += 1
                res.error_examples.append(f"client crashed: {t.exception()!r}")
    res.stopped_by_deadline = res.stopped_by_deadline or res.sent < requests
    res.duration_s = time.perf_counter() - start
    return res


def run_load(base_url: str, make_request: Callable[[int], RequestSpec], requests: int, **kwargs) -> LoadResult:
    """Synchronous wrapper of :func:`run_load_async` (runs its own event loop)."""
    return asyncio.run(run_load_async(base_url, make_request, requests, **kwargs))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Bounded load test of POST /api/ask (loopback only).")
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("-n", "--requests", type=int, default=2000)
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=60.0, help="per-request timeout (s)")
    ap.add_argument("--max-seconds", type=float, default=900.0, help="hard stop for the whole run (s)")
    ap.add_argument("--question", action="append", help="question(s) to cycle through (default: gold dev set)")
    args = ap.parse_args(argv)
    questions = args.question
    if not questions:
        from pathlib import Path
        gold = Path(__file__).parent / "gold" / "questions.jsonl"
        questions = [json.loads(line)["question"] for line in gold.read_text(encoding="utf-8").splitlines() if line]
    res = run_load(args.url, lambda i: ("POST", "/api/ask", {"question": questions[i % len(questions)]}),
                   args.requests, concurrency=args.concurrency, timeout_s=args.timeout, max_seconds=args.max_seconds)
    print(json.dumps(res.summary(), ensure_ascii=False, indent=2))
    return 0 if res.errors == 0 and not res.stopped_by_deadline else 1


if __name__ == "__main__":
    raise SystemExit(main())
