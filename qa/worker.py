"""The gunicorn worker of `qa serve`: a slow or idle client costs a socket, not a worker.

gunicorn's gevent worker serves each connection in its own greenlet, so a client that
sends nothing holds no worker.  `QAWorker` adds what that worker lacks:

- a request deadline: the request line, headers and body must all arrive within
  `request_timeout` seconds of the request's first byte (of the accept, for a
  connection's first request); a client that trickles is answered 408 and cut off;
- the keep-alive idle limit (`keepalive`) only between requests, and each write of a
  response bounded by `request_timeout` too (a client that never reads is cut off);
- at most `worker_connections` connections per worker: one more is answered 503 at
  once and closed, never left waiting in the listen queue;
- the body read in full (up to `max_body` + 1 bytes) before the app runs, so the app
  never waits on a client;
- fair turns: after each response a connection yields to the other ready ones, and
  waits for its next request through the event loop even when it has already come
  (gevent reads on without yielding when data is there: with a request costing more CPU
  than a client's round trip, or pipelined requests, one keep-alive client kept the
  worker and the others waited for seconds);
- up to ACCEPT_BATCH new connections accepted a turn (gunicorn's gevent worker takes one
  when there are several workers: a burst of connections then waited many turns);
- on SIGTERM, connections waiting for a request are closed at once; a request being
  received keeps the rest of its time; requests in flight finish.

No monkey-patching: the app does no network I/O of its own, so nothing in it needs to
be cooperative.  The analyser loaded in the master before the fork keeps its real
thread-local tokenizers (one set for all of a worker's greenlets, which never switch
inside a tokenizer), the index watcher stays a real thread (a new index is loaded beside
the requests, not in the event loop), and locks stay real locks.  A request's CPU time
(about 1.5 ms for /ask) holds the worker's other greenlets for that long, as a sync
worker would.
"""
from __future__ import annotations

import contextlib
import errno
import io
import socket
import time
from functools import partial

import gevent
from gevent import socket as gsocket
from gevent.pool import Pool
from gevent.server import StreamServer
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.ggevent import GeventWorker

from .server import write_json_error

REFUSAL_ROOM = 100         # greenlets beyond the limit, to answer 503 while at the limit
ACCEPT_BATCH = 100         # connections accepted a loop turn (gunicorn: 1, so a burst waited for turns)
LINGER = 1.0               # seconds a refused client has to finish sending before the close


class RequestTimeout(NoMoreData):
    """The request did not arrive in time (gunicorn closes quietly on NoMoreData)."""


class ClientSocket:
    """A client connection whose reads keep to the request deadline and the idle limit."""

    def __init__(self, sock, request_timeout: float, keepalive: float, log):
        self.sock, self.request_timeout, self.keepalive, self.log = sock, request_timeout, keepalive, log
        self.deadline: float | None = time.monotonic() + request_timeout   # first request: from the accept
        self.received = 0                 # bytes of the request being read
        self.idle = False                 # blocked on the first byte of a request
        self.hung_up = False              # the client closed its side
        self.stopped = False              # reading shut down (SIGTERM)

    def __getattr__(self, name):
        return getattr(self.sock, name)

    def recv(self, size: int) -> bytes:
        if self.deadline is None:                        # between requests
            self._await_turn()
            self.deadline = time.monotonic() + self.request_timeout
        data = self._recv(size, self.deadline - time.monotonic(), idle=self.received == 0)
        self.received += len(data)
        self.hung_up = not data
        return data

    def _await_turn(self) -> None:
        """Wait for the next request through the event loop, even when it has come: each ready
        connection then gets its turn (a client quicker than the app would otherwise keep the worker)."""
        self.idle = True
        try:
            gsocket.wait_read(self.sock.fileno(), self.keepalive)
        except socket.timeout:
            self._cut_off(idle=True)
        finally:
            self.idle = False

    def _recv(self, size: int, timeout: float, idle: bool) -> bytes:
        if timeout <= 0:
            self._cut_off(idle)
        self.sock.settimeout(timeout)
        self.idle = idle
        try:
            return self.sock.recv(size)
        except socket.timeout:
            self._cut_off(idle)
        except OSError:
            if not self.stopped:
                raise
            return self.sock.recv(size)           # shut down for SIGTERM: what had come, then the end
        finally:
            self.idle = False

    def _cut_off(self, idle: bool):
        """Close a connection whose request is late: 408 when part of it came, else silently."""
        if not idle:
            self.log.info("request not received within %g s (%d bytes came): 408, connection closed",
                          self.request_timeout, self.received)
            with contextlib.suppress(OSError):
                write_json_error(self.sock, 408, "Request Timeout",
                                 f"the request did not arrive within {self.request_timeout:g} s")
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        raise RequestTimeout()

    def sendall(self, data) -> None:
        self.sock.settimeout(self.request_timeout)
        try:
            self.sock.sendall(data)
        except socket.timeout:
            self.log.info("response not taken within %g s: connection closed", self.request_timeout)
            raise BrokenPipeError(errno.EPIPE, "the client did not take the response in time") from None

    def next_request(self) -> None:
        """The response is out: the next request's clock starts with its first byte."""
        self.deadline, self.received = None, 0

    def stop_reading(self) -> None:
        """Make a pending read see the end of the stream (a late request's bytes are still read)."""
        self.stopped = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RD)


class ReadAhead:
    """A request body read up to `size` bytes before the app runs; any rest read on demand."""

    def __init__(self, body, size: int):
        self.head = io.BytesIO(body.read(size))
        self.rest = body

    @property
    def failed(self) -> bool:
        return getattr(self.rest, "failed", False)

    def read(self, size: int | None = None) -> bytes:
        if size is None or size < 0:
            return self.head.read() + self.rest.read()
        data = self.head.read(size)
        return data + self.rest.read(size - len(data)) if len(data) < size else data

    def readline(self, size: int | None = None) -> bytes:
        limit = -1 if size is None or size < 0 else size
        line = self.head.readline(limit)
        if line.endswith(b"\n") or len(line) == limit:
            return line
        return line + self.rest.readline(None if limit < 0 else limit - len(line))

    def readlines(self, hint: int | None = None) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self):
        return iter(self.readline, b"")


def refuse(client, limit: int) -> None:
    """Past the connection limit: 503 at once, then close once the client has sent its request."""
    try:
        write_json_error(client, 503, "Service Unavailable",
                         f"this worker has its {limit} connections open; retry shortly", retry_after=1)
        client.shutdown(socket.SHUT_WR)
        with gevent.Timeout(LINGER, False):            # read what it sends, so the close is no reset
            while client.recv(65536):
                pass
    except OSError:
        pass
    finally:
        client.close()


class QAWorker(GeventWorker):
    """gunicorn's gevent worker with request deadlines and a connection limit."""

    request_timeout = 10.0
    max_body = 16 * 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_connections = self.worker_connections
        self.worker_connections += REFUSAL_ROOM
        self.clients: set[ClientSocket] = set()
        self.refused, self.refusals_logged = 0, 0.0

    @classmethod
    def configured(cls, request_timeout: float, max_body: int) -> type:
        """This worker with the given limits (gunicorn takes a class as `worker_class`)."""
        return type(cls.__name__, (cls,), {"request_timeout": request_timeout, "max_body": max_body})

    def patch(self) -> None:
        """Make the listening sockets gevent sockets; no monkey-patching (see the module doc)."""
        self.sockets = [gsocket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach())
                        for s in self.sockets]

    def run(self) -> None:
        """gunicorn's gevent loop, accepting up to ACCEPT_BATCH connections a turn; graceful on SIGTERM."""
        servers = []
        for sock in self.sockets:
            sock.setblocking(1)
            server = StreamServer(sock, handle=partial(self.handle, sock), spawn=Pool(self.worker_connections))
            server.max_accept = ACCEPT_BATCH
            server.start()
            servers.append(server)
        while self.alive:
            self.notify()
            gevent.sleep(1.0)
        self.finish(servers)

    def finish(self, servers: list) -> None:
        """Stop accepting; let connections finish for up to graceful_timeout, then stop them."""
        for server in servers:
            server.close()
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline and any(len(server.pool) for server in servers):
            self.notify()
            gevent.sleep(0.1)
        if any(len(server.pool) for server in servers):
            self.log.warning("Worker graceful timeout (pid:%s)", self.pid)
            for server in servers:
                server.stop(timeout=1)

    def timeout_ctx(self):
        return contextlib.nullcontext()            # ClientSocket keeps the deadlines

    def handle(self, listener, client, addr) -> None:
        if len(self.clients) >= self.max_connections:
            self._log_refusal()
            return refuse(client, self.max_connections)
        conn = ClientSocket(client, self.request_timeout, self.cfg.keepalive, self.log)
        self.clients.add(conn)
        try:
            super().handle(listener, conn, addr)
        finally:
            self.clients.discard(conn)

    def handle_request(self, listener_name, req, sock, addr):
        if req.body is not None:
            req.body = ReadAhead(req.body, self.max_body + 1)      # within the request deadline
            if sock.hung_up:                                       # the body ended early: nobody to answer
                raise NoMoreData(b"")
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            sock.next_request()
            gevent.sleep(1e-6)   # the other ready connections first (pipelined requests need no read)

    def _log_refusal(self) -> None:
        self.refused += 1
        now = time.monotonic()
        if now - self.refusals_logged >= 10:
            self.refusals_logged = now
            self.log.warning("connection limit %d reached: refused with 503 (%d so far)",
                             self.max_connections, self.refused)

    def handle_exit(self, sig, frame) -> None:
        super().handle_exit(sig, frame)
        gevent.spawn(self.close_idle)              # out of the signal handler

    def close_idle(self) -> None:
        """After SIGTERM: close connections waiting for a request, until the worker exits."""
        while True:
            for conn in list(self.clients):
                if conn.idle:
                    conn.stop_reading()
            gevent.sleep(0.25)
