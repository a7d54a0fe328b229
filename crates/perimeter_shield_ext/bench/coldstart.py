#!/usr/bin/env python3
"""Cold-start overhead and memory of the perimeter-shield extension, without AWS.

Serves a minimal Extensions + Runtime API on loopback, starts the extension binary RUNS times and prints, per
run and as medians: time from spawn to the `register` call, time from spawn to the extension's `ready` line
(proxy listening, registered), the init time the extension itself reports, and its RSS / peak RSS after it
relayed EVENTS events (a 2 KB API Gateway event each, fetched through the proxy as a runtime would).

    python3 bench/coldstart.py target/release/perimeter-shield [RUNS] [EVENTS]
"""
import http.client
import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

BIN = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
EVENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 200

EVENT = json.dumps({
    "version": "2.0", "routeKey": "POST /orders", "rawPath": "/orders", "rawQueryString": "page=2&sort=asc",
    "headers": {"content-type": "application/json", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)",
                "x-forwarded-for": "198.51.100.7"},
    "queryStringParameters": {"page": "2", "sort": "asc"},
    "requestContext": {"http": {"method": "POST", "path": "/orders", "sourceIp": "198.51.100.7"},
                       "requestId": "r-1", "stage": "$default"},
    "body": json.dumps({"customer": {"name": "Ada O'Brien", "email": "ada@example.com"},
                        "items": [{"sku": f"SKU-{i:04}", "qty": i % 5 + 1, "note": "gift wrap please"} for i in range(18)]}),
    "isBase64Encoded": False,
}).encode()

state = {"registered": None, "served": 0}


class Api(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def _send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if self.path.endswith("/extension/register"):
            state["registered"] = time.perf_counter()
            self._send(200, b'{"functionName":"bench","functionVersion":"1"}', [("Lambda-Extension-Identifier", "x")])
        else:
            self._send(202, b'{"status":"OK"}')

    def do_GET(self):
        if self.path.endswith("/extension/event/next"):
            time.sleep(3600)
        elif self.path.endswith("/runtime/invocation/next"):
            state["served"] += 1
            self._send(200, EVENT, [("Lambda-Runtime-Aws-Request-Id", f"id-{state['served']}"),
                                    ("Lambda-Runtime-Deadline-Ms", "9999999999999"),
                                    ("Content-Type", "application/json")])


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
api = f"127.0.0.1:{server.server_address[1]}"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def connect(host, port):
    # Nagle + delayed ACK would add ~40 ms per request and hide everything else.
    c = http.client.HTTPConnection(host, port)
    c.connect()
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


reg, ready, self_init, rss, hwm, per_event, direct, first, first_later = [], [], [], [], [], [], [], [], []
host, port_s = api.split(":")


def round_trips(conn, check, events=None):
    events = events or EVENTS
    t1 = time.perf_counter()
    for i in range(events):
        conn.request("GET", "/2018-06-01/runtime/invocation/next")
        r = conn.getresponse()
        body = r.read()
        if check:
            assert body == EVENT
        rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
        conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=b'{"ok":true}')
        conn.getresponse().read()
    return (time.perf_counter() - t1) / events * 1e6

for run in range(RUNS):
    port = free_port()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api, PERIMETER_SHIELD_PORT=str(port),
               PERIMETER_SHIELD_MODE="block", PERIMETER_SHIELD_HYGIENE="off")
    state["registered"] = None
    t0 = time.perf_counter()
    p = subprocess.Popen([BIN], env=env, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    t_ready = time.perf_counter()
    info = json.loads(line)
    assert info.get("msg") == "ready", line
    # The first invocation: in half of the runs right after `ready` (the worst case), in
    # the other half 50 ms later (a runtime starting up in between, as on Lambda).
    if run % 2:
        time.sleep(0.05)
        first_later.append(round_trips(connect("127.0.0.1", port), True, 1))
    else:
        first.append(round_trips(connect("127.0.0.1", port), True, 1))
    reg.append((state["registered"] - t0) * 1e3)
    ready.append((t_ready - t0) * 1e3)
    self_init.append(info["init_us"] / 1e3)
    # The same loop straight against the fake API, interleaved so both see the same machine load.
    direct.append(round_trips(connect(host, int(port_s)), False))
    per_event.append(round_trips(connect("127.0.0.1", port), True))
    rss.append(status_kib(p.pid, "VmRSS:"))
    hwm.append(status_kib(p.pid, "VmHWM:"))
    p.kill()
    p.wait()

med = statistics.median
print(f"binary: {BIN} ({os.path.getsize(BIN)} bytes)")
print(f"runs: {RUNS}; events per run: {EVENTS} ({len(EVENT)} bytes each)")
print(f"spawn -> register call: median {med(reg):.2f} ms (min {min(reg):.2f}, max {max(reg):.2f})")
print(f"spawn -> ready line:    median {med(ready):.2f} ms (min {min(ready):.2f}, max {max(ready):.2f})")
print(f"init as measured by the extension (main -> ready): median {med(self_init):.2f} ms")
print(f"round trip next+response through the proxy (incl. Python client and fake API): median {med(per_event):.0f} us")
print(f"same round trip straight to the fake API: median {med(direct):.0f} us -> proxy overhead ~{med(per_event) - med(direct):.0f} us per invocation")
print(f"first invocation through the proxy right after ready: median {med(first):.0f} us (max {max(first):.0f})")
if first_later:
    print(f"first invocation through the proxy 50 ms after ready: median {med(first_later):.0f} us (max {max(first_later):.0f})")
print(f"RSS after {EVENTS} events: median {med(rss)} KiB; peak RSS median {med(hwm)} KiB")
