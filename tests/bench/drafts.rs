//! Benchmarks for tests/bench/run.sh (not a test):
//!   save URL COOKIE SECONDS   POSTs of an application page (CSRF, validation, upsert, 303) per second
//!   insert SECONDS            raw SQLite inserts per second, WAL + synchronous=FULL, one per transaction
//!   expiry ROWS               the draft expiry job over ROWS drafts (half expired) against a raw batched DELETE
//!   cases DB EMAIL COUNT      gives the account COUNT paid, submitted applications (for My Page)
//!   argon2 SECONDS            raw argon2id hashes per second (Kansli's parameters), one thread per core
use std::time::{Duration, Instant};

use r2d2_sqlite::rusqlite::{params, Connection};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    match arg(0).as_str() {
        "save" => save(&arg(1), &arg(2), arg(3).parse().unwrap_or(10)),
        "insert" => insert(arg(1).parse().unwrap_or(10)),
        "expiry" => expiry(arg(1).parse().unwrap_or(1_000_000)),
        "cases" => cases(&arg(1), &arg(2), arg(3).parse().unwrap_or(20)),
        "argon2" => raw_argon2(arg(1).parse().unwrap_or(10)),
        _ => {
            eprintln!("usage: bench_drafts save URL COOKIE SECONDS | insert SECONDS | expiry ROWS | cases DB EMAIL COUNT | argon2 SECONDS")
        }
    }
}

/// Each worker fills in its own draft's first page again and again. The page is opened
/// once (for the CSRF token and revision); as the draft's only writer the worker knows
/// each save bumps the revision by one, so every request is a POST that really saves.
fn save(base: &str, cookie: &str, seconds: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut workers = Vec::new();
        let end = Instant::now() + Duration::from_secs(seconds);
        for _ in 0..8 {
            let (client, base, cookie) = (client.clone(), base.to_string(), cookie.to_string());
            workers.push(tokio::spawn(async move {
                let start = client
                    .post(format!("{base}/applications/new"))
                    .header("Cookie", &cookie)
                    .header("Origin", &base);
                let form_page = client
                    .get(format!("{base}/applications/new"))
                    .header("Cookie", &cookie)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let csrf = value_of(&form_page, "csrf");
                let res = start
                    .form(&[("csrf", csrf.as_str()), ("form", "visit-visa")])
                    .send()
                    .await
                    .unwrap();
                let draft = res.headers()["location"].to_str().unwrap().to_string();
                let page = format!("{base}{draft}/pages/applicant");
                let html = client
                    .get(&page)
                    .header("Cookie", &cookie)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let csrf = value_of(&html, "csrf");
                let mut revision: i64 = value_of(&html, "revision").parse().unwrap();
                let mut saved = 0u64;
                while Instant::now() < end {
                    let revision_text = revision.to_string();
                    let res = client
                        .post(&page)
                        .header("Cookie", &cookie)
                        .header("Origin", &base)
                        .form(&[
                            ("csrf", csrf.as_str()),
                            ("revision", revision_text.as_str()),
                            ("action", "next"),
                            ("family_name", "Öberg"),
                            ("given_names", "Ana"),
                            ("date_of_birth", "1990-05-17"),
                            ("citizenship", "UA"),
                            ("email", "ana@example.com"),
                        ])
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 303, "the page was saved");
                    assert!(res.headers()["location"]
                        .to_str()
                        .unwrap()
                        .ends_with("/pages/passport"));
                    saved += 1;
                    revision += 1;
                }
                saved
            }));
        }
        let mut total = 0;
        for w in workers {
            total += w.await.unwrap();
        }
        println!("{:.1}", total as f64 / seconds as f64);
    });
}

fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn open(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn
}

/// The baseline: a plain insert loop, each insert its own durable transaction.
fn insert(seconds: u64) {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("raw.db"));
    conn.execute_batch(
        "CREATE TABLE answers (draft INTEGER, field TEXT, value TEXT, PRIMARY KEY (draft, field))",
    )
    .unwrap();
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut n = 0u64;
    while Instant::now() < end {
        conn.execute(
            "INSERT INTO answers VALUES (?1, 'family_name', 'Öberg')",
            [n as i64],
        )
        .unwrap();
        n += 1;
    }
    println!("{:.1}", n as f64 / seconds as f64);
}

/// What the password-hash queue is measured against: argon2id with the portal's
/// parameters (src/hashing.rs) on every core, nothing else.
fn raw_argon2(seconds: u64) {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let end = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..cores)
        .map(|_| {
            std::thread::spawn(move || {
                let a = kansli::hashing::argon2();
                let salt = SaltString::encode_b64(b"kansli bench salt").unwrap();
                let mut n = 0u64;
                while Instant::now() < end {
                    a.hash_password(b"lingonberries under a violet moon", &salt)
                        .unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let hashes: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    println!("{:.1}", hashes as f64 / seconds as f64);
}

/// `rows` drafts, half of them past their deletion time, in a fresh Kansli database.
fn fill(path: &std::path::Path, rows: i64) {
    let pool = kansli::db::open(path, &kansli::db::backup::UpgradeBackups::none()).unwrap();
    let conn = pool.get().unwrap();
    conn.execute("INSERT INTO accounts (email, password_hash, lang, created_at, confirmed_at) VALUES ('bench@example.se', 'x', 'sv', 0, 0)", []).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut stmt = conn
            .prepare("INSERT INTO drafts (reference, account_id, form_id, lang, created_at, last_activity, expires_at) VALUES (?1, 1, 'visit-visa', 'sv', 0, 0, ?2)")
            .unwrap();
        for i in 0..rows {
            stmt.execute(params![
                format!("r{i:09}"),
                if i % 2 == 0 { 100 } else { 10_000 }
            ])
            .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
}

fn expiry(rows: i64) {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("job.db"), dir.path().join("raw.db"));
    let started = Instant::now();
    fill(&a, rows);
    std::fs::copy(&a, &b).unwrap();
    eprintln!("filled {rows} drafts in {:.1?}", started.elapsed());

    // Kansli's job, batch by batch, timing each write transaction.
    let pool = kansli::db::open(&a, &kansli::db::backup::UpgradeBackups::none()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut longest = Duration::ZERO;
    let started = Instant::now();
    let mut deleted = 0usize;
    loop {
        let t = Instant::now();
        let n = runtime
            .block_on(kansli::db::write(&pool, |tx| {
                kansli::db::drafts::delete_expired(tx, 1000, kansli::jobs::BATCH)
            }))
            .unwrap();
        longest = longest.max(t.elapsed());
        deleted += n;
        if (n as i64) < kansli::jobs::BATCH {
            break;
        }
    }
    let job = started.elapsed();
    assert_eq!(deleted as i64, rows / 2);
    assert_eq!(
        runtime
            .block_on(kansli::jobs::expire_drafts(&pool, 1000))
            .unwrap(),
        0,
        "the job finds nothing left"
    );

    // The baseline: the same batches as plain DELETEs on a plain connection.
    let conn = open(&b);
    let started = Instant::now();
    loop {
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        let n = conn
            .execute(
                "DELETE FROM drafts WHERE id IN (SELECT id FROM drafts WHERE approved_at IS NULL AND expires_at <= 1000 LIMIT ?1)",
                [kansli::jobs::BATCH],
            )
            .unwrap();
        conn.execute_batch("COMMIT").unwrap();
        if (n as i64) < kansli::jobs::BATCH {
            break;
        }
    }
    let raw = started.elapsed();
    println!(
        "{:.3} {:.3} {:.1}",
        job.as_secs_f64(),
        raw.as_secs_f64(),
        longest.as_secs_f64() * 1000.0
    );
}

/// Submitted applications as the payment flow leaves them: an approved and submitted
/// draft, a successful payment and a case with its first status, through Kansli's own
/// statements, in one transaction on the running server's database.
fn cases(db: &str, email: &str, count: usize) {
    use kansli::db::{accounts, cases, drafts, payments};
    use kansli::domain::payment::PaymentState;
    let mut conn = Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let tx = conn.transaction().unwrap();
    let account = accounts::by_email(&tx, email).unwrap().expect("account").id;
    for n in 0..count {
        let reference = format!("bench-{email}-{n}");
        let draft = drafts::insert(
            &tx,
            &drafts::NewDraft {
                reference: &reference,
                account: Some(account),
                form_id: "work-permit",
                lang: kansli::domain::Lang::Sv,
                expires_at: i64::MAX / 2,
            },
            1_795_248_000,
        )
        .unwrap();
        tx.execute(
            "UPDATE drafts SET approved_at = created_at, submitted_at = created_at WHERE id = ?1",
            [draft],
        )
        .unwrap();
        let payment = payments::insert(
            &tx,
            &payments::NewPayment {
                reference: &format!("pay-{reference}"),
                draft_id: draft,
                attempt: 1,
                idempotency_key: &format!("key-{reference}"),
                amount: 220_000,
            },
            1_795_248_000,
        )
        .unwrap();
        payments::settle(
            &tx,
            payment,
            PaymentState::Success,
            None,
            Some(("Visa", "0000")),
            1_795_248_100,
        )
        .unwrap();
        let case = cases::NewCase {
            draft_id: draft,
            account,
            payment_id: payment,
            form_id: "work-permit",
            applicant_name: "Bench Person",
            applicant_pin: None,
            applicant_email: "",
        };
        cases::insert(&tx, &case, 1_795_248_100).unwrap();
    }
    tx.commit().unwrap();
}
