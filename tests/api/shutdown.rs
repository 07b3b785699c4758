//! SIGTERM through the real binary: the message being sent is finished and
//! marked sent, nothing else is begun, the write-ahead log is emptied, exit 0,
//! and a restart sends what was left without sending the first again; a reader
//! holding the log (Litestream) keeps it without delaying the stop.
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use r2d2_sqlite::rusqlite::{params, Connection};

use crate::helpers::*;

/// How long the test waits for the SMTP server to be reached.
const WAIT: Duration = Duration::from_secs(30);

/// An SMTP server on loopback that holds its answer to the first message until
/// the test lets it go: a delivery caught in flight.
struct SlowSmtp {
    port: u16,
    /// Each message's subject line, as it arrives (before the answer).
    arrived: Receiver<String>,
    release: Sender<()>,
}

impl SlowSmtp {
    fn start() -> SlowSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (arrive, arrived) = channel();
        let (release, released) = channel::<()>();
        let released = Arc::new(Mutex::new(Some(released)));
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (arrive, released) = (arrive.clone(), released.clone());
                std::thread::spawn(move || converse(stream, &arrive, &released));
            }
        });
        SlowSmtp {
            port,
            arrived,
            release,
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("KANSLI_SMTP_HOST", "127.0.0.1".into()),
            ("KANSLI_SMTP_PORT", self.port.to_string()),
            ("KANSLI_SMTP_SECURITY", "plain".into()),
            ("KANSLI_SMTP_FROM", "Kansli <noreply@kansli.example>".into()),
        ]
    }

    fn next_subject(&self) -> String {
        self.arrived.recv_timeout(WAIT).expect("a message arrives")
    }
}

/// One SMTP session. The first message's 250 waits for the release (once).
fn converse(stream: TcpStream, arrive: &Sender<String>, released: &Mutex<Option<Receiver<()>>>) {
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream);
    let mut say = |text: &str| out.write_all(text.as_bytes()).is_ok();
    say("220 slow.test ESMTP\r\n");
    let mut line = String::new();
    while lines.read_line(&mut line).unwrap_or(0) > 0 {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answered = match verb.as_str() {
            "DATA" => {
                say("354 go ahead\r\n");
                let mut subject = String::new();
                let mut body = String::new();
                while lines.read_line(&mut body).unwrap_or(0) > 0 && body != ".\r\n" {
                    if let Some(s) = body.strip_prefix("Subject: ") {
                        subject = s.trim().to_string();
                    }
                    body.clear();
                }
                let _ = arrive.send(subject);
                if let Some(wait) = released.lock().unwrap().take() {
                    let _ = wait.recv();
                }
                say("250 queued\r\n")
            }
            "QUIT" => {
                say("221 bye\r\n");
                return;
            }
            _ => say("250 slow.test\r\n"),
        };
        if !answered {
            return;
        }
        line.clear();
    }
}

fn queue(conn: &Connection, subject: &str) {
    conn.execute(
        "INSERT INTO outbox (channel, recipient, subject, body_text, next_attempt_at, created_at)
         VALUES ('email', 'person@example.se', ?1, 'Hej <>&\"''', 0, 0)",
        params![subject],
    )
    .unwrap();
}

fn statuses(dir: &Path) -> Vec<(String, String, i64)> {
    let conn = Connection::open(dir.join("kansli.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT subject, status, attempts FROM outbox ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn served_with(dir: &Path, smtp: &SlowSmtp) -> Running {
    let env = smtp.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Running::start(dir, &env)
}

/// A message's subject, status and attempts.
fn row(subject: &str, status: &str, attempts: i64) -> (String, String, i64) {
    (subject.to_string(), status.to_string(), attempts)
}

#[test]
fn sigterm_during_a_delivery_finishes_it_and_a_restart_never_sends_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let migrated = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .arg("migrate")
        .env("KANSLI_DATA_DIR", dir.path())
        .env_remove("KANSLI_CONFIG")
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    let conn = Connection::open(dir.path().join("kansli.db")).unwrap();
    queue(&conn, "first");
    queue(&conn, "second");
    drop(conn);
    let smtp = SlowSmtp::start();

    let mut served = served_with(dir.path(), &smtp);
    assert_eq!(smtp.next_subject(), "first");
    // The SMTP server holds its answer: the message is in flight.
    served.terminate();
    served.wait_for(|l| l.contains("finishing the message being sent"));
    smtp.release.send(()).unwrap();
    assert_eq!(served.wait_exit(), Some(0), "{:#?}", served.seen);
    assert!(served.seen.iter().any(|l| l.contains("stopped")));
    assert_eq!(
        statuses(dir.path()),
        vec![row("first", "sent", 1), row("second", "queued", 0)],
        "the message in flight is marked sent; the next was not begun"
    );
    let wal = std::fs::metadata(dir.path().join("kansli.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the write-ahead log is checkpointed and emptied");

    let mut served = served_with(dir.path(), &smtp);
    assert_eq!(smtp.next_subject(), "second", "the first is not sent again");
    served.terminate();
    assert_eq!(served.wait_exit(), Some(0), "{:#?}", served.seen);
    assert_eq!(
        statuses(dir.path()),
        vec![row("first", "sent", 1), row("second", "sent", 1)]
    );
    assert!(smtp.arrived.try_recv().is_err(), "nothing else was sent");
}

/// Litestream holds a read transaction on the database for as long as it
/// replicates, and checkpoints the log itself. The checkpoint at stop leaves the
/// log to such a reader at once, rather than waiting the busy timeout (5 s) for it
/// on every stop of a replicated server.
#[test]
fn sigterm_leaves_the_write_ahead_log_to_a_reader_holding_it_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Running::start(dir.path(), &[]);
    assert_eq!(served.status_of("/health/live"), 200);
    let reader = Connection::open(dir.path().join("kansli.db")).unwrap();
    // Frames in the log, and a read transaction on them, as Litestream keeps one.
    reader
        .execute_batch("CREATE TABLE replica_position (txid INTEGER); BEGIN;")
        .unwrap();
    let read: i64 = reader
        .query_row("SELECT COUNT(*) FROM replica_position", [], |r| r.get(0))
        .unwrap();
    assert_eq!(read, 0);

    let asked = Instant::now();
    served.terminate();
    assert_eq!(served.wait_exit(), Some(0), "{:#?}", served.seen);
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(3), "stopped in {took:?}");
    assert!(
        served
            .seen
            .iter()
            .any(|l| l.contains("write-ahead log left to the reader holding it")),
        "{:#?}",
        served.seen
    );
    assert!(
        !served.seen.iter().any(|l| l.contains("WARN")),
        "{:#?}",
        served.seen
    );
    reader.execute_batch("COMMIT").unwrap();
}
