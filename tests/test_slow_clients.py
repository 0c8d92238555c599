"""Slow, idle, rude and many clients against the real `qa serve` (gevent workers, qa/worker.py)."""
from __future__ import annotations

import contextlib
import http.client
import json
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

import pytest

from liveserver import serve
from qa.server import Limits

pytestmark = pytest.mark.slow
LIMITS = Limits()                      # the documented defaults of `qa serve`
QUESTIONS = ["杭州のサミットはいつですか?", "广州有多少家区块链企业?", "How many blockchain companies did Hangzhou have?",
             "北京と上海の政策の違いは?"]
ASK = json.dumps({"question": QUESTIONS[0]}).encode("utf-8")
POST_HEAD = b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(ASK)


@pytest.fixture
def start(tmp_path, index_dir):
    """start(*args, workers=2): a `qa serve` with these options, stopped after the test."""
    with contextlib.ExitStack() as stack:
        def _start(*args, workers: int = 2):
            return stack.enter_context(serve(index_dir, None, tmp_path / f"serve-{time.time_ns()}.log",
                                             workers=workers, args=args))
        yield _start


def connect(port: int, raw: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    if raw:
        sock.sendall(raw)
    return sock


def hold_connections(port: int) -> list[socket.socket]:
    """The issue's 120 held connections: 60 silent, 40 with half the headers, 20 with half a body."""
    return ([connect(port) for _ in range(60)]
            + [connect(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Ag") for _ in range(40)]
            + [connect(port, POST_HEAD + ASK[: len(ASK) // 2]) for _ in range(20)])


def read_until_closed(sock: socket.socket, timeout: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and when (monotonic seconds)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data, time.monotonic()


def read_response(sock: socket.socket, timeout: float = 10) -> bytes:
    """One whole response (head and Content-Length body) off a keep-alive connection."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < content_length(data):
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    return data


def content_length(data: bytes) -> int:
    return int(re.search(rb"Content-Length: (\d+)", data).group(1))


def still_open(sock: socket.socket) -> bool:
    """The server has not closed it (nothing is consumed)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def request(port: int, i: int) -> tuple[int, float]:
    """One well-formed request on a new connection (GET /healthz or POST /ask in turn): status, ms."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        if i % 2:
            conn.request("GET", "/healthz")
        else:
            body = json.dumps({"question": QUESTIONS[i // 2 % len(QUESTIONS)]}).encode("utf-8")
            conn.request("POST", "/ask", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    except OSError:
        return 0, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def requests_from_threads(port: int, total: int = 200, threads: int = 4) -> list[tuple[int, float]]:
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        for i in range(k, total, threads):
            outcome = request(port, i)
            with lock:
                results.append(outcome)

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.99 * len(values)) - 1)]


def test_held_connections_do_not_stall_other_requests(start):
    """(1) 120 idle or half-sent connections held while 200 other requests succeed, p99 < 250 ms.

    Every run must answer all 200; the p99 bound must hold in one of two runs (made while the same
    connections are held), as this machine's 2 cores are shared with whatever else runs."""
    server = start()
    for i in range(8):                                   # warm both workers (first /ask per question)
        assert request(server.port, i)[0] == 200
    held_at = time.monotonic()
    held = hold_connections(server.port)
    time.sleep(0.5)                                      # the server has accepted and is reading them all
    for attempt in range(2):
        results = requests_from_threads(server.port)
        ok = [ms for status, ms in results if status == 200]
        print(f"120 held, run {attempt + 1}: {len(ok)}/{len(results)} ok, p50 {sorted(ok)[len(ok) // 2]:.1f} ms, "
              f"p99 {p99(ok):.1f} ms, {time.monotonic() - held_at:.1f} s after the hold")
        assert len(ok) == len(results) == 200, [r for r in results if r[0] != 200][:5]
        if p99(ok) < 250:
            break
    assert p99(ok) < 250
    assert time.monotonic() - held_at < LIMITS.request_timeout - 1      # all of it while they were held:
    assert all(still_open(s) for s in held)                            # none was cut off yet
    for sock in held:
        sock.close()


def test_trickling_silent_and_idle_clients_are_cut_off_at_the_documented_limits(start):
    """(2) A header or body trickled a byte a second: 408 at the request timeout; silent: closed then;
    an idle keep-alive connection: closed at the keep-alive limit."""
    server = start()
    outcomes: dict[str, tuple[bytes, float]] = {}

    def trickle(name: str, raw: bytes, complete: bytes = b"") -> None:
        sock = connect(server.port, complete)
        started = time.monotonic()
        try:
            for byte in raw:
                sock.sendall(bytes([byte]))
                if not still_open(sock):
                    break
                time.sleep(1.0)
        except OSError:
            pass
        data, ended = read_until_closed(sock, 30)
        outcomes[name] = data, ended - started

    def silent() -> None:
        sock = connect(server.port)
        started = time.monotonic()
        data, ended = read_until_closed(sock, 30)
        outcomes["silent"] = data, ended - started

    def idle() -> None:
        sock = connect(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = read_response(sock)
        started = time.monotonic()
        assert reply.startswith(b"HTTP/1.1 200") and b"Connection: keep-alive" in reply
        data, ended = read_until_closed(sock, 30)
        outcomes["idle keep-alive"] = data, ended - started

    headers = b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: " + b"a" * 40 + b"\r\n\r\n"
    pool = [threading.Thread(target=trickle, args=("headers", headers)),
            threading.Thread(target=trickle, args=("body", ASK, POST_HEAD)),
            threading.Thread(target=silent), threading.Thread(target=idle)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)
    print({name: (data[:12], round(seconds, 2)) for name, (data, seconds) in outcomes.items()})
    for name in ("headers", "body"):
        data, seconds = outcomes[name]
        assert LIMITS.request_timeout - 0.5 <= seconds <= LIMITS.request_timeout + 2.5, (name, seconds)
        head, body = data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 408") and json.loads(body)["error"]["code"] == "request_timeout"
    data, seconds = outcomes["silent"]
    assert data == b"" and LIMITS.request_timeout - 0.5 <= seconds <= LIMITS.request_timeout + 2.5
    data, seconds = outcomes["idle keep-alive"]
    assert data == b"" and LIMITS.keepalive - 0.5 <= seconds <= LIMITS.keepalive + 2.5
    assert "Traceback" not in server.log_text()


def test_past_the_connection_limit_a_client_is_refused_at_once(start):
    server = start("--max-connections", 20, workers=1)
    held = [connect(server.port) for _ in range(20)]
    time.sleep(0.3)
    for _ in range(5):
        started = time.monotonic()
        sock = connect(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data, ended = read_until_closed(sock, 10)
        head, body = data.split(b"\r\n\r\n", 1)
        assert ended - started < 1.0
        assert head.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in head and b"Connection: close" in head
        assert json.loads(body)["error"]["code"] == "unavailable"
    for sock in held:
        sock.close()
    time.sleep(0.3)
    assert request(server.port, 1)[0] == 200
    assert "connection limit 20 reached" in server.log_text()


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; refused = 0; other = 0; n = 0 end
request = function()
  n = n + 1
  if n %% 2 == 0 then return wrk.format("GET", "/healthz") end
  return wrk.format("POST", "/ask", {["Content-Type"] = "application/json"}, %s)
end
response = function(status, headers, body)
  if status == 200 then ok = ok + 1
  elseif status == 503 and body:find("unavailable", 1, true) then refused = refused + 1
  else other = other + 1 end
end
done = function(summary, latency, requests)
  local ok, refused, other = 0, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok"); refused = refused + t:get("refused"); other = other + t:get("other")
  end
  local e = summary.errors
  io.write(string.format("statuses: ok %%d refused %%d other %%d\\n", ok, refused, other))
  io.write(string.format("errors: connect %%d read %%d write %%d timeout %%d\\n", e.connect, e.read, e.write, e.timeout))
end
"""


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def test_a_thousand_keepalive_clients_get_no_errors_but_documented_refusals(start, tmp_path):
    """(3) wrk -c1000: every response a 200 or the documented 503 refusal; no socket errors."""
    wrk = shutil.which("wrk")
    assert wrk, "wrk is missing: make system-deps"
    server = start()
    script = tmp_path / "count.lua"
    script.write_text(WRK_SCRIPT % json.dumps(ASK.decode("utf-8"), ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([wrk, "-t2", "-c1000", "-d5s", "--timeout", "10s", "-s", str(script), server.url + "/"],
                         capture_output=True, text=True, timeout=120, preexec_fn=raise_open_files)
    print(run.stdout[-1500:])
    assert run.returncode == 0, run.stderr
    ok, refused, other = map(int, re.search(r"statuses: ok (\d+) refused (\d+) other (\d+)", run.stdout).groups())
    errors = dict(re.findall(r"(connect|read|write|timeout) (\d+)", run.stdout.split("errors:")[1]))
    assert other == 0 and ok > 1000, run.stdout
    assert errors == {"connect": "0", "read": "0", "write": "0", "timeout": "0"}, run.stdout
    assert request(server.port, 1)[0] == 200
    log = server.log_text()
    assert "Traceback" not in log and log.count("Booting worker") == 2, log[-3000:]
    print(f"wrk -c1000: {ok} ok, {refused} documented refusals (503), 0 errors")


def rude_client(port: int, pipelined: int) -> int:
    """Pipeline many GET /facts, read a little, then reset the connection mid-response; bytes read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /facts HTTP/1.1\r\nHost: x\r\n\r\n" * pipelined)
    sock.settimeout(5)
    got = len(sock.recv(1000))
    time.sleep(0.5)                                      # the server fills the buffers and waits to write
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()                                         # RST: the server's write fails mid-response
    return got


def test_clients_that_disconnect_mid_response_do_not_disturb_others(start):
    """(4) Connections reset mid-response (and requests abandoned before it) while others are served."""
    server = start()
    results: list[tuple[int, float]] = []
    normal = threading.Thread(target=lambda: results.extend(requests_from_threads(server.port, 200, 2)))
    normal.start()
    for _ in range(10):
        assert rude_client(server.port, 2000) > 0
        sock = connect(server.port, POST_HEAD + ASK)      # asks, then leaves before the answer
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    normal.join(timeout=120)
    assert [s for s, _ in results] == [200] * 200
    time.sleep(0.5)
    log = server.log_text()
    served = log.count("GET /facts 200")
    assert 0 < served < 10 * 2000, served                # cut off mid-stream, not all answered
    assert "Traceback" not in log and "ERROR" not in log and log.count("Booting worker") == 2, log[-3000:]
    assert request(server.port, 0)[0] == 200


def test_sigterm_closes_idle_connections_at_once_and_finishes_requests_in_flight(start):
    """Connections waiting for a request (new or kept alive) do not hold a shutdown."""
    server = start(workers=1)
    silent = [connect(server.port) for _ in range(60)]
    kept = [connect(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") for _ in range(10)]
    for sock in kept:
        assert read_response(sock).startswith(b"HTTP/1.1 200")
    in_flight = connect(server.port, POST_HEAD + ASK[:10])
    time.sleep(0.3)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    in_flight.sendall(ASK[10:])
    reply, _ = read_until_closed(in_flight, 20)
    assert reply.startswith(b"HTTP/1.1 200") and b"Connection: close" in reply
    for sock in silent + kept:                           # closed without a reply
        assert read_until_closed(sock, 10)[0] == b""
    assert server.proc.wait(timeout=20) == 0
    seconds = time.monotonic() - started
    print(f"exit {seconds:.1f} s after SIGTERM with 70 idle connections open")
    assert seconds < min(LIMITS.request_timeout, LIMITS.keepalive) - 1
    for sock in silent + kept:
        sock.close()


def test_chunked_oversized_and_abandoned_bodies(start):
    """The body is read before the app runs: chunked is whole, too large is 413, cut short is never answered."""
    server = start()
    chunked = (b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
               b"Connection: close\r\n\r\n" + b"%x\r\n" % 10 + ASK[:10] + b"\r\n"
               + b"%x\r\n" % (len(ASK) - 10) + ASK[10:] + b"\r\n0\r\n\r\n")
    reply, _ = read_until_closed(connect(server.port, chunked), 10)
    assert reply.startswith(b"HTTP/1.1 200") and "2017年4月".encode() in reply
    big = b'{"question": "' + b"a" * 20000 + b'"}'
    reply, _ = read_until_closed(connect(server.port, b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                                         b"\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(big) + big), 10)
    assert reply.startswith(b"HTTP/1.1 413") and b"payload_too_large" in reply
    sock = connect(server.port, POST_HEAD + ASK[:10])
    time.sleep(0.2)
    sock.close()                                          # the client leaves mid-body
    time.sleep(0.5)
    assert "POST /ask 400" not in server.log_text()


def test_a_client_quicker_than_the_app_does_not_keep_the_worker(start):
    """Each ready connection gets its turn: a request sent while another client has 1,000 pipelined
    requests waiting on the same worker is answered after a few of them, not after all 1,000 (gevent
    reads on without yielding while data is there: so it was before fair turns)."""
    server = start(workers=1)
    greedy, other = connect(server.port), connect(server.port)
    time.sleep(0.3)
    greedy.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 1000)
    other.sendall(b"GET /cities HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(other).startswith(b"HTTP/1.1 200")
    time.sleep(0.5)
    order = re.findall(r"GET (/healthz|/cities) 200", server.log_text())
    before = order.index("/cities")
    print(f"pipelined requests answered before the other client's: {before}")
    assert before < 150, before                          # a scheduling hiccup of the test may add some
    greedy.close()
    other.close()
