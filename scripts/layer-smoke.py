#!/usr/bin/env python3
"""Smoke test of a perimeter-shield layer zip, without AWS (called by `scripts/build-layer --check`).

1. Reads the zip back: the entries must be exactly the layer layout, the executables mode 0755, every entry
   with the fixed timestamp (so that a rebuild gives the same zip). Runs the extracted wrapper: it must point
   the runtime at the proxy port and record the pid of the runtime it execs.
2. Extracts it and runs the extension it holds (optionally under an emulator: `--run qemu-aarch64-static -L
   /usr/aarch64-linux-gnu`) against a minimal Extensions + Runtime API served on loopback, in block mode, then
   acts as the function's runtime through the extension's proxy: an SQL injection event must be answered by
   the extension itself with a 403 (never reaching the "runtime"), the benign event after it must arrive byte
   for byte with its request id, the runtime's response must be relayed unchanged, and the extension must
   have logged an `injection/sqli` finding. Prints the extension's own init time.

    python3 scripts/layer-smoke.py target/layers/perimeter-shield-arm64.zip [--run CMD ARGS...]
"""
import http.client
import http.server
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

EXPECTED = {
    "extensions/": 0o040755,
    "extensions/perimeter-shield": 0o100755,
    "perimeter-shield-wrapper": 0o100755,
}
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
# Generous: under qemu-user the emulated extension starts and answers far slower than natively.
TIMEOUT = 120


def fail(msg):
    print(f"layer-smoke: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check_zip(path, dest):
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        if names != sorted(EXPECTED):
            fail(f"{path}: entries {names}, expected {sorted(EXPECTED)}")
        for i in infos:
            mode = i.external_attr >> 16
            if mode != EXPECTED[i.filename]:
                fail(f"{path}: {i.filename} has mode {oct(mode)}, expected {oct(EXPECTED[i.filename])}")
            if i.date_time != FIXED_DATE:
                fail(f"{path}: {i.filename} has timestamp {i.date_time}, expected {FIXED_DATE}")
        z.extractall(dest)
    for name, mode in EXPECTED.items():
        os.chmod(os.path.join(dest, name), mode & 0o777)


def check_wrapper(layer):
    """The wrapper (run as Lambda would, by path) must point the runtime at the proxy and record its pid."""
    state = os.path.join(layer, "state")
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API="127.0.0.1:9001", PERIMETER_SHIELD_PORT="9123",
               PERIMETER_SHIELD_STATE_DIR=state)
    env.pop("PERIMETER_SHIELD_MODE", None)
    out = subprocess.run([os.path.join(layer, "perimeter-shield-wrapper"), "sh", "-c",
                          'echo "$$ $AWS_LAMBDA_RUNTIME_API"'], env=env, capture_output=True, text=True,
                         timeout=TIMEOUT)
    pid, api = (out.stdout.split() + ["", ""])[:2]
    if out.returncode != 0 or api != "127.0.0.1:9123":
        fail(f"the wrapper did not point the runtime at the proxy: {out.returncode} {out.stdout!r} {out.stderr!r}")
    with open(os.path.join(state, "runtime.pid")) as f:
        if f.read().strip() != pid:
            fail("the wrapper did not record the runtime's pid (the exec'd process must keep it)")


def http_event(query):
    return json.dumps({
        "version": "2.0", "routeKey": "GET /items", "rawPath": "/items",
        "rawQueryString": "id=" + query.replace(" ", "%20"),
        "headers": {"host": "api.example.com"},
        "queryStringParameters": {"id": query},
        "requestContext": {"http": {"method": "GET", "path": "/items", "sourceIp": "198.51.100.7"},
                           "requestId": "r", "stage": "$default"},
        "isBase64Encoded": False,
    }).encode()


ATTACK = http_event("1' OR '1'='1")
BENIGN = http_event("42")
events = queue.Queue()
events.put(("id-attack", ATTACK))
events.put(("id-benign", BENIGN))
outcomes = {}
outcome_seen = threading.Condition()


class Api(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/extension/register"):
            self._send(200, b'{"functionName":"smoke","functionVersion":"1"}',
                       [("Lambda-Extension-Identifier", "smoke-ext")])
            return
        parts = self.path.split("/")
        if "invocation" in parts and parts[-1] in ("response", "error"):
            with outcome_seen:
                outcomes[parts[-2]] = (parts[-1], body)
                outcome_seen.notify_all()
        self._send(202, b'{"status":"OK"}')

    def do_GET(self):
        if self.path.endswith("/extension/event/next"):
            time.sleep(3600)  # no INVOKE/SHUTDOWN needed: the proxy serves the runtime on its own
        elif self.path.endswith("/runtime/invocation/next"):
            rid, body = events.get()
            self._send(200, body, [("Lambda-Runtime-Aws-Request-Id", rid),
                                   ("Lambda-Runtime-Deadline-Ms", "9999999999999"),
                                   ("Lambda-Runtime-Invoked-Function-Arn",
                                    "arn:aws:lambda:us-east-1:123456789012:function:smoke"),
                                   ("Content-Type", "application/json")])
        else:
            self._send(404)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    args = sys.argv[1:]
    if not args:
        fail("usage: layer-smoke.py LAYER.zip [--run CMD ARGS...]")
    zip_path, run = args[0], []
    if len(args) > 1:
        if args[1] != "--run" or len(args) < 3:
            fail("usage: layer-smoke.py LAYER.zip [--run CMD ARGS...]")
        run = args[2:]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        check_zip(zip_path, tmp)
        check_wrapper(tmp)
        binary = os.path.join(tmp, "extensions", "perimeter-shield")
        port = free_port()
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}",
                   PERIMETER_SHIELD_PORT=str(port), PERIMETER_SHIELD_MODE="block",
                   PERIMETER_SHIELD_HYGIENE="off", AWS_REGION="us-east-1",
                   AWS_LAMBDA_FUNCTION_NAME="smoke")
        t0 = time.monotonic()
        proc = subprocess.Popen(run + [binary], env=env, stdout=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
        try:
            run_checks(proc, lines, port, t0)
        finally:
            proc.kill()
            proc.wait()
    print(f"layer-smoke: OK: {zip_path}")


def run_checks(proc, lines, port, t0):
    seen = []

    def next_line(deadline):
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            fail(f"no output from the extension within {TIMEOUT} s (exit status {proc.poll()}); got {seen}")
        seen.append(line.strip())
        return line

    deadline = time.monotonic() + TIMEOUT
    while True:
        line = next_line(deadline)
        try:
            info = json.loads(line)
        except ValueError:
            continue
        if info.get("msg") == "ready":
            break
    print(f"layer-smoke: extension ready {1e3 * (time.monotonic() - t0):.1f} ms after spawn "
          f"(its own init: {info.get('init_us', 0) / 1e3:.1f} ms)")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    r = conn.getresponse()
    body = r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    if r.status != 200 or rid != "id-benign" or body != BENIGN:
        fail(f"runtime got status {r.status}, request id {rid!r}, body {body[:200]!r}; expected the benign event")
    conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=b'{"ok":true}')
    conn.getresponse().read()
    with outcome_seen:
        outcome_seen.wait_for(lambda: len(outcomes) == 2, timeout=TIMEOUT)
    kind, blocked = outcomes.get("id-attack", (None, b""))
    if kind != "response" or json.loads(blocked or b"{}").get("statusCode") != 403:
        fail(f"the SQL injection event was not answered with a 403 by the extension: {kind} {blocked[:200]!r}")
    if outcomes.get("id-benign") != ("response", b'{"ok":true}'):
        fail(f"the runtime's response was not relayed unchanged: {outcomes.get('id-benign')!r}")
    while not any("injection/sqli" in s for s in seen):
        next_line(deadline)


if __name__ == "__main__":
    main()
