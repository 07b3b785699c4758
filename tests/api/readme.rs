//! README's examples work as written: the production `kansli.toml` starts the
//! real binary (only its paths and port swapped for a test directory).
use std::io::BufRead;

use crate::helpers::http_status;

/// The first ```toml block after `heading` in README.md.
fn toml_after(heading: &str) -> String {
    let readme = include_str!("../../README.md");
    let from = readme.find(heading).expect("the heading is in README");
    let block = &readme[from..];
    let start = block.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = block[start..].find("```").expect("the block ends");
    block[start..start + end].to_string()
}

#[test]
fn the_production_example_in_readme_starts_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key_file = d.join("secret.key");
    std::fs::write(&key_file, kansli::domain::secret::SealingKey::generate().1).unwrap();
    let example = toml_after("Example `kansli.toml` for production:");
    let swapped = example
        .replace("/var/lib/kansli", &d.display().to_string())
        .replace("/etc/kansli/secret.key", &key_file.display().to_string())
        .replace("127.0.0.1:8080", "127.0.0.1:0");
    assert_ne!(swapped, example, "the paths were found");
    let config = d.join("kansli.toml");
    std::fs::write(&config, &swapped).unwrap();

    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .arg("serve")
        .env_clear()
        .env("KANSLI_CONFIG", &config)
        .current_dir(d)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = std::io::BufReader::new(server.stderr.take().unwrap());
    let mut seen = String::new();
    let port = loop {
        let mut line = String::new();
        if log.read_line(&mut line).unwrap() == 0 {
            let _ = server.wait();
            panic!("kansli stopped: {seen}");
        }
        seen.push_str(&line);
        if let Some(at) = line.find("listening on port ") {
            let rest = &line[at + "listening on port ".len()..];
            break rest
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    assert!(seen.contains("Production"), "{seen}");
    let status = std::panic::catch_unwind(|| http_status(&format!("127.0.0.1:{port}"), "/login"));
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(status.expect("the server answered"), 200);
}
