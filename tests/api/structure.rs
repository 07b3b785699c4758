//! The layering rules written at the top of `src/lib.rs`, checked by reading the
//! tree: imports go down only, the edge's crates stay at the edge, handlers do not
//! import each other, only startup mounts the fakes, only `db/` holds SQL.
use std::path::{Path, PathBuf};

/// A source file: its path under `src/` and its code with comments removed.
struct Source {
    path: String,
    code: String,
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text
                .lines()
                .map(|l| match l.find("//") {
                    // A `//` inside a string (a URL) is not a comment.
                    Some(i) if !l[..i].contains('"') => &l[..i],
                    _ => l,
                })
                .collect::<Vec<_>>()
                .join("\n");
            let path = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            Source { path, code }
        })
        .collect()
}

/// The top-level module a file belongs to (`web/handlers/login.rs` -> `web`).
fn top(path: &str) -> &str {
    path.split('/').next().unwrap().trim_end_matches(".rs")
}

/// Rule 1's order: a module may name only modules of a lower rank (the leaves
/// may name each other).
fn rank(module: &str) -> Option<u8> {
    Some(match module {
        "main" => 10,
        "cli" => 9,
        "startup" => 8,
        "fakes" => 7,
        "web" | "jobs" => 6,
        "flows" => 5,
        "state" => 4,
        "outbound" | "hashing" => 3,
        "db" => 2,
        // `h!` is the catalog's macro (i18n), exported at the crate root.
        "domain" | "settings" | "paths" | "i18n" | "clock" | "error" | "metrics" | "listener"
        | "h" => 1,
        _ => return None,
    })
}

/// Every `crate::name` a piece of code mentions.
fn crate_names(code: &str) -> Vec<&str> {
    code.match_indices("crate::")
        .map(|(i, _)| {
            let rest = &code[i + 7..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn imports_go_down_only() {
    let mut wrong = Vec::new();
    for s in sources() {
        let own = top(&s.path);
        if own == "lib" {
            continue;
        }
        let Some(own_rank) = rank(own) else {
            wrong.push(format!("{}: a top-level module outside the rules", s.path));
            continue;
        };
        for name in crate_names(&s.code) {
            if name == own {
                continue;
            }
            match rank(name) {
                Some(r) if r < own_rank || (r == 1 && own_rank == 1) => {}
                _ => wrong.push(format!("{} names crate::{name}", s.path)),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "upward or sideways imports:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_the_web_edge_knows_actix_maud_and_cookies() {
    let below_web = [
        "flows/",
        "outbound/",
        "db/",
        "domain/",
        "state.rs",
        "hashing.rs",
        "hashing/",
    ];
    let mut wrong = Vec::new();
    for s in sources()
        .iter()
        .filter(|s| below_web.iter().any(|p| s.path.starts_with(p)))
    {
        for word in ["actix", "maud", "crate::web"] {
            // The email HTML is written with maud: an email is not a web page.
            let allowed = word == "maud" && s.path == "outbound/notify/emails.rs";
            if s.code.contains(word) && !allowed {
                wrong.push(format!("{} names {word}", s.path));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A handler area is a file (`web/handlers/login.rs`) or a folder
/// (`web/handlers/apply/`), whose files may share what their `mod.rs` holds.
#[test]
fn handlers_never_import_each_other() {
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter(|s| s.path.starts_with("web/handlers/") && s.path != "web/handlers/mod.rs")
        .filter(|s| {
            let in_folder = s.path.matches('/').count() > 2;
            let own_area = in_folder && !s.path.ends_with("/mod.rs");
            // A test module's `use super::*` is the file's own items.
            let code = s.code.split("#[cfg(test)]").next().unwrap();
            code.contains("crate::web::handlers")
                || code.contains("super::super")
                || (!own_area && code.contains("super::"))
        })
        .map(|s| s.path)
        .collect();
    assert!(wrong.is_empty(), "handlers naming a sibling: {wrong:?}");
}

#[test]
fn only_startup_mounts_the_fakes() {
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter(|s| !s.path.starts_with("fakes/") && s.path != "startup.rs")
        .filter(|s| s.code.contains("crate::fakes"))
        .map(|s| s.path)
        .collect();
    assert!(wrong.is_empty(), "naming the fakes: {wrong:?}");
}

#[test]
fn only_db_holds_sql() {
    let statements = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        "CREATE TABLE",
    ];
    let wrong: Vec<String> = sources()
        .into_iter()
        // A fake keeps its own tables, as a real provider would.
        .filter(|s| !s.path.starts_with("db/") && !s.path.ends_with("/store.rs"))
        .filter(|s| statements.iter().any(|w| s.code.contains(w)))
        .map(|s| s.path)
        .collect();
    assert!(wrong.is_empty(), "SQL outside db/: {wrong:?}");
}

#[test]
fn only_write_and_send_opens_the_outbox() {
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter(|s| s.code.contains("Outbox::within") || s.code.contains("Outbox {"))
        .map(|s| s.path)
        .filter(|p| p != "db/outbox.rs" && p != "outbound/notify/mod.rs")
        .collect();
    assert!(wrong.is_empty(), "an outbox opened elsewhere: {wrong:?}");
}

/// A string literal that is or begins like a path of the site: `"/"`, or `"/`
/// followed by a letter or a query.
fn spells_a_path(code: &str) -> bool {
    code.match_indices("\"/").any(|(i, _)| {
        code[i + 2..].starts_with(|c: char| c.is_ascii_lowercase() || c == '?' || c == '"')
    })
}

#[test]
fn only_paths_spells_a_url_of_the_site() {
    let wrong: Vec<String> = sources()
        .into_iter()
        // The route table matches the paths; the fakes serve under their own prefixes.
        .filter(|s| !["paths.rs", "web/mod.rs"].contains(&s.path.as_str()))
        .filter(|s| !s.path.starts_with("fakes/"))
        .filter(|s| spells_a_path(s.code.split("#[cfg(test)]\nmod").next().unwrap()))
        .map(|s| s.path)
        .collect();
    assert!(wrong.is_empty(), "URLs spelled outside paths.rs: {wrong:?}");
}

/// A handler makes flow calls; reading and writing the database is the flows' work.
#[test]
fn handlers_do_not_reach_the_database() {
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter(|s| s.path.starts_with("web/handlers/"))
        .filter(|s| {
            [
                "db::read(",
                "db::write(",
                "db::quick_read(",
                ".execute(",
                ".prepare",
            ]
            .iter()
            .any(|call| s.code.contains(call))
        })
        .map(|s| s.path)
        .collect();
    assert!(wrong.is_empty(), "handlers using the database: {wrong:?}");
}

/// A top-level module's `mod.rs` reaching the crate root through `super::` would
/// slip past the import rules, which read `crate::` paths.
#[test]
fn top_level_modules_name_the_crate_as_crate() {
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter(|s| s.path.matches('/').count() == 1 && s.path.ends_with("/mod.rs"))
        .filter(|s| {
            s.code
                .split("#[cfg(test)]")
                .next()
                .unwrap()
                .contains("super::")
        })
        .map(|s| s.path)
        .collect();
    assert!(
        wrong.is_empty(),
        "super:: from a top-level module: {wrong:?}"
    );
}
