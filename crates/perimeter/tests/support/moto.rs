//! A real local AWS API emulator for end-to-end tests: moto's server (PyPI `moto[server]`),
//! started on a free loopback port for one test binary and killed when dropped, or, when it
//! is never dropped (a server kept in a `static` for the whole binary), when the test
//! process is gone: it exits when its stdin, a pipe only this process holds, closes.
//!
//! `scripts/test` installs moto into `target/test-venv` and exports
//! `PERIMETER_TEST_PYTHON`; without it the tests fail loudly (never skip) saying what to run.
//! Every test talks to the emulator with fake credentials and `AWS_ENDPOINT_URL`, so nothing
//! can reach a real account.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// `python -m moto.server`, plus a thread that ends the process when stdin reaches end of
/// file (the test process exited, however it exited).
const SERVE_UNTIL_STDIN_CLOSES: &str = "import os, sys, threading
def watch():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
";

/// A running moto server.
pub struct Moto {
    child: Child,
    /// The server's stdin: it exits at end of file, so it ends with this process even when
    /// `Drop` never runs (statics are not dropped at exit).
    _lifeline: ChildStdin,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    port: u16,
}

/// The Python that has moto: `PERIMETER_TEST_PYTHON`. Panics with the fix when unset.
pub fn python() -> String {
    std::env::var("PERIMETER_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PERIMETER_TEST_PYTHON is not set: run the tests with `scripts/test`, which installs \
             moto[server] and awslambdaric into target/test-venv, or point PERIMETER_TEST_PYTHON \
             at a Python with `moto[server]==5.2.5` installed"
        )
    })
}

impl Moto {
    /// Starts moto on a free port and waits until it answers.
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let mut child = Command::new(python())
            .args([
                "-c",
                SERVE_UNTIL_STDIN_CLOSES,
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto's server (python -m moto.server)");
        let lifeline = child.stdin.take().expect("moto's stdin is piped");
        let moto = Moto {
            child,
            _lifeline: lifeline,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto's server did not start on port {port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Environment for a process that must talk to this emulator only: fake credentials, the
    /// endpoint, a region, and no shared config files from the host.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_SESSION_TOKEN", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_DEFAULT_REGION", "us-east-1".into()),
            (
                "AWS_CONFIG_FILE",
                "/nonexistent/perimeter-test-config".into(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/perimeter-test-credentials".into(),
            ),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }

    /// Resets every moto backend (between tests sharing one server).
    pub fn reset(&self) {
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto for reset");
        use std::io::{Read, Write};
        let request = format!(
            "POST /moto-api/reset HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).expect("send reset");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "moto reset failed: {answer}"
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
