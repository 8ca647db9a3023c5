"""Load against a served page: `wrk -t1 -c8 -d<N>s`, or, when wrk is missing, a bounded threaded
Python client doing the same (8 connections, one request at a time each, for N seconds). Also the
small HTTP helpers the benchmark needs: sign in through the login form, check a page's status.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .report import percentile

THREADS = 1
CONNECTIONS = 8


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0  # socket errors, timeouts and answers other than 2xx/3xx
    tool: str = "wrk"
    raw: str = field(default="", repr=False)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- HTTP helpers ---------------------------------------------------------------------------------


def request(host, port, method, path, *, cookies: dict | None = None, body: dict | None = None, timeout=60):
    """One request on a fresh connection. Returns (status, headers, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Connection": "close"}
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def set_cookies(headers, cookies: dict) -> dict:
    for value in headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(value)
        for name, morsel in parsed.items():
            cookies[name] = morsel.value
    return cookies


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(host, port, email, password, *, path="/accounts/login/") -> dict:
    """Sign in through the login form, like a browser; returns the cookies (sessionid, csrftoken)."""
    status, headers, body = request(host, port, "GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    cookies = set_cookies(headers, {})
    match = CSRF_FIELD.search(body)
    if not match or "csrftoken" not in cookies:
        raise RuntimeError("The login page has no CSRF token")
    status, headers, body = request(host, port, "POST", path, cookies=cookies, body={
        "csrfmiddlewaretoken": match[1].decode(), "username": email, "password": password,
    })
    set_cookies(headers, cookies)
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"Signing in as {email} failed (status {status}); is ROSTER_MFA_REQUIRED=false?")
    return cookies


def wait_until_up(host, port, path="/", timeout=60.0, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"The server on port {port} exited with {process.returncode}")
        try:
            status, _h, _b = request(host, port, "GET", path, timeout=5)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"Nothing answered on {host}:{port} within {timeout:.0f} s")


# --- wrk ----------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"Not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str) -> LoadResult:
    """The figures of `wrk --latency` output."""
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if not total:
        raise ValueError("No request count in wrk's output:\n" + output)
    latency = dict(re.findall(r"^\s+(50|99)(?:\.\d+)?%\s+(\S+)\s*$", output, re.MULTILINE))
    errors = 0
    if sock := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(x) for x in sock.groups())
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(bad[1])
    return LoadResult(
        requests=int(total[1]), seconds=_ms(total[2] + total[3]) / 1000,
        p50_ms=_ms(latency["50"]) if "50" in latency else float("nan"),
        p99_ms=_ms(latency["99"]) if "99" in latency else float("nan"),
        errors=errors, tool="wrk", raw=output,
    )


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, *, seconds: int, cookies: dict | None = None) -> LoadResult:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "60s"]
    if cookies:
        command += ["-H", f"Cookie: {cookie_header(cookies)}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --- the Python fallback ---------------------------------------------------------------------------


def run_threads(host, port, path, *, seconds: float, cookies: dict | None = None,
                connections: int = CONNECTIONS) -> LoadResult:
    """`connections` threads, each sending one request at a time on a fresh connection (the sync
    workers close it anyway) until `seconds` are up. Bounded: at most `connections` in flight."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start = time.perf_counter()
    deadline = start + seconds

    def worker(i):
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status, _h, _b = request(host, port, "GET", path, cookies=cookies, timeout=60)
            except OSError:
                errors[i] += 1
                continue
            latencies[i].append((time.perf_counter() - began) * 1000)
            if status >= 400:
                errors[i] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    every = [x for per in latencies for x in per]
    return LoadResult(
        requests=len(every), seconds=elapsed,
        p50_ms=percentile(every, 50) if every else float("nan"),
        p99_ms=percentile(every, 99) if every else float("nan"),
        errors=sum(errors), tool="python",
    )


def measure(host, port, path, *, seconds: int, cookies: dict | None = None, use_wrk: bool | None = None):
    if use_wrk is None:
        use_wrk = have_wrk()
    if use_wrk:
        return run_wrk(f"http://{host}:{port}{path}", seconds=seconds, cookies=cookies)
    return run_threads(host, port, path, seconds=seconds, cookies=cookies)
