//! The `kansli` binary as its own process, as an operator starts it: for what only
//! a real process shows (its files' modes under a umask, its peak memory).
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A `kansli serve` process; killed when dropped.
pub struct Served {
    pub child: Child,
    pub port: u16,
}

impl Served {
    /// The most memory the process has held at once (VmHWM), in bytes.
    pub fn peak_rss(&self) -> u64 {
        self.status_bytes("VmHWM:")
    }

    /// The memory the process holds now (VmRSS), in bytes.
    pub fn rss(&self) -> u64 {
        self.status_bytes("VmRSS:")
    }

    fn status_bytes(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc status"));
        kib * 1024
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kansli serve` on `data_dir`, after the shell commands `setup` (e.g. `umask 022`),
/// returned once it listens.
pub fn serve_process(data_dir: &Path, setup: &str) -> Served {
    // A working directory without a kansli.toml: the nearest existing one of data_dir.
    let cwd = data_dir
        .ancestors()
        .find(|d| d.is_dir())
        .expect("a directory");
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("{setup}\nexec \"$0\" serve"))
        .arg(env!("CARGO_BIN_EXE_kansli"))
        .env("KANSLI_DATA_DIR", data_dir)
        .env("KANSLI_LISTEN", "127.0.0.1:0")
        .env("KANSLI_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("KANSLI_CONFIG")
        .current_dir(cwd)
        .stderr(Stdio::piped())
        .spawn()
        .expect("kansli serve starts");
    // Owned at once, so that a failed start below still ends the process.
    let mut served = Served { child, port: 0 };
    let stderr = served.child.stderr.take().expect("stderr");
    let mut log = std::io::BufReader::new(stderr);
    let mut line = String::new();
    while !line.contains("listening on port ") {
        line.clear();
        assert!(log.read_line(&mut line).unwrap() > 0, "kansli serve ended");
    }
    let digits: String = line
        .rsplit("listening on port ")
        .next()
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    served.port = digits
        .parse()
        .unwrap_or_else(|_| panic!("a port in {line:?}"));
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    served
}
