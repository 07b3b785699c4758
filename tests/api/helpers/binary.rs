//! The real `kansli serve` as a child process, its log (standard error) read line
//! by line on a thread, so a test can wait for what the server says.
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long a test waits for a line the server is expected to write.
const LOG_WAIT: Duration = Duration::from_secs(30);

pub struct Running {
    pub child: Child,
    pub port: u16,
    lines: Receiver<String>,
    /// Every line read so far, for assertions over the whole log.
    pub seen: Vec<String>,
}

impl Running {
    /// Starts `kansli serve` on a free port with the data in `dir` and the extra
    /// environment in `env`, and waits until it listens.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Running {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kansli"));
        command
            .arg("serve")
            .env("KANSLI_DATA_DIR", dir)
            .env("KANSLI_LISTEN", "127.0.0.1:0")
            .env("KANSLI_LOG", "info")
            .env_remove("KANSLI_CONFIG")
            .env_remove("KANSLI_LOG_FORMAT")
            .current_dir(dir)
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let log = std::io::BufReader::new(child.stderr.take().unwrap());
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in log.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Running {
            child,
            port: 0,
            lines,
            seen: Vec::new(),
        };
        let line = served.wait_for(|l| l.contains("listening on port"));
        let after = line.split("listening on port ").nth(1).unwrap();
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        served.port = digits.parse().unwrap();
        served
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The status of GET `path`. Once it answers, the server has also set up its
    /// signal handling (before it accepts), so a SIGTERM is a graceful stop
    /// rather than the default death.
    pub fn status_of(&self, path: &str) -> u16 {
        http_status(&format!("127.0.0.1:{}", self.port), path)
    }

    /// Reads the log until a line matches, and returns it. Fails the test if the
    /// server ends or says nothing of the kind for a long while.
    pub fn wait_for(&mut self, matches: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + LOG_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if matches(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no such log line; the log:\n{}", self.seen.join("\n"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("kansli serve ended; its log:\n{}", self.seen.join("\n"))
                }
            }
        }
    }

    /// Sends SIGTERM, as a service manager stopping the service does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to end and returns its exit code, reading the rest of its log.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let status = self.child.wait().unwrap();
        while let Ok(line) = self.lines.recv_timeout(LOG_WAIT) {
            self.seen.push(line);
        }
        status.code()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of GET `path` from the server at `address`, over a plain TCP connection.
pub fn http_status(address: &str, path: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .parse()
        .unwrap()
}
