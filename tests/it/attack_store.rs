//! ATT&CK data management through the binary: `ttpc attack fetch` against a loopback HTTP server
//! (success, 404, a truncated response, a pinned hash that does not match), `attack import`,
//! `attack list`, `compile --fetch`, and `ttpc.lock`. No test reaches the internet.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

use crate::common::{mini20, mini21, text, ttpc};

/// Serves the mini bundle at the official path layout, a 404 for other versions, and a response
/// cut off half way under `/truncated/`. Returns the base URL.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let bundle = std::fs::read(mini21()).expect("fixture");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request_line = String::new();
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let ok = |body: &[u8], sent: usize| {
                let head =
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                (head, body[..sent].to_vec())
            };
            let (head, body) = match path.as_str() {
                "/enterprise-attack/enterprise-attack-18.1.json" => ok(&bundle, bundle.len()),
                "/truncated/enterprise-attack/enterprise-attack-18.1.json" => ok(&bundle, bundle.len() / 2),
                _ => (
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\n".to_owned(),
                    b"not found".to_vec(),
                ),
            };
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    });
    base
}

fn sha256(path: &Path) -> String {
    ttpc::io::sha256_hex(&std::fs::read(path).expect("read"))
}

/// Files in a folder tree (names relative to it).
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                out.push(entry.path().strip_prefix(dir).expect("inside").display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fetch_downloads_verifies_records_and_lists() {
    let base = serve();
    let cache = tempfile::tempdir().expect("temp");
    let out = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["attack", "fetch", "--version", "18.1", "--url", &base])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stored = cache.path().join("attack/enterprise-attack-18.1.json");
    assert_eq!(sha256(&stored), sha256(&mini21()));
    assert!(text(&out.stdout).contains(&sha256(&mini21())));
    let list = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["attack", "list", "--format", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    assert_eq!(v[0]["domain"], "enterprise-attack");
    assert_eq!(v[0]["version"], "18.1");
    assert_eq!(v[0]["sha256"], sha256(&mini21()));
    assert_eq!(v[0]["origin"], format!("{base}/enterprise-attack/enterprise-attack-18.1.json"));
}

#[test]
fn a_404_a_truncated_download_and_a_hash_mismatch_leave_nothing_behind() {
    let base = serve();
    let cache = tempfile::tempdir().expect("temp");
    let run = |args: &[&str]| {
        let out = ttpc().env("TTPC_CACHE", cache.path()).args(args).output().expect("runs");
        common::assert_no_panic(&text(&out.stderr));
        (out.status.code(), text(&out.stderr))
    };
    let (code, stderr) = run(&["attack", "fetch", "--version", "99.9", "--url", &base]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("answered 404") && stderr.contains("no such release"), "{stderr}");

    let truncated = format!("{base}/truncated");
    let (code, stderr) = run(&["attack", "fetch", "--version", "18.1", "--url", &truncated]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("was cut off after") && stderr.contains("nothing was written"), "{stderr}");

    let (code, stderr) =
        run(&["attack", "fetch", "--version", "18.1", "--url", &base, "--sha256", &"0".repeat(64)]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("is pinned; nothing was written"), "{stderr}");
    assert!(tree(cache.path()).is_empty(), "the cache stays empty: {:?}", tree(cache.path()));
}

#[test]
fn import_puts_a_file_in_the_cache_and_refuses_what_is_not_attack() {
    let cache = tempfile::tempdir().expect("temp");
    let out = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["attack", "import", "--version", "17.1"])
        .arg(mini20())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(sha256(&cache.path().join("attack/enterprise-attack-17.1.json")), sha256(&mini20()));
    let out = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["attack", "import", "--version", "18.1"])
        .arg(common::fixture("attack/not-stix.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is JSON but not an ATT&CK STIX bundle"));
    // Without a version, a file whose name and content say nothing is refused with a hint.
    let out = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["attack", "import"])
        .arg(mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("pass it with --version"), "{}", text(&out.stderr));
    let list = ttpc().env("TTPC_CACHE", cache.path()).args(["attack", "list"]).output().expect("runs");
    let list = text(&list.stdout);
    let rows: Vec<Vec<&str>> = list.lines().map(|l| l.split_whitespace().take(2).collect()).collect();
    assert!(rows.contains(&vec!["enterprise-attack", "17.1"]), "{list}");
    assert!(!list.contains("18.1"), "nothing refused was cached: {list}");
}

#[test]
fn the_lock_pins_the_data_and_a_mismatch_exits_2_with_both_hashes() {
    let cache = tempfile::tempdir().expect("temp");
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("mini.yaml");
    std::fs::copy(common::fixture("models/mini.yaml"), &model).expect("copy");
    let import = |bundle: &Path| {
        let out = ttpc()
            .env("TTPC_CACHE", cache.path())
            .args(["attack", "import", "--version", "18.1"])
            .arg(bundle)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    };
    let check = |extra: &[&str]| {
        let out = ttpc()
            .env("TTPC_CACHE", cache.path())
            .arg("check")
            .arg(&model)
            .args(extra)
            .output()
            .expect("runs");
        (out.status.code(), text(&out.stderr))
    };
    import(&mini21());
    let (code, stderr) = check(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let lock = std::fs::read_to_string(dir.path().join("ttpc.lock")).expect("lock written");
    assert!(lock.contains(&format!("sha256 = \"{}\"", sha256(&mini21()))), "{lock}");

    // Someone swaps the data under the same version.
    import(&mini20());
    let (code, stderr) = check(&[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains(&sha256(&mini20())) && stderr.contains(&sha256(&mini21())), "{stderr}");
    assert!(stderr.contains("--update-lock"), "{stderr}");
    let (code, stderr) = check(&["--update-lock"]);
    assert_eq!(code, Some(0), "{stderr}");
    let lock = std::fs::read_to_string(dir.path().join("ttpc.lock")).expect("lock");
    assert!(lock.contains(&sha256(&mini20())), "{lock}");
}

#[test]
fn compile_fetches_missing_data_and_honours_a_pinned_hash() {
    let base = serve();
    let cache = tempfile::tempdir().expect("temp");
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("mini.yaml");
    std::fs::copy(common::fixture("models/mini.yaml"), &model).expect("copy");
    let compile = || {
        let out = ttpc()
            .env("TTPC_CACHE", cache.path())
            .env("TTPC_ATTACK_URL", &base)
            .arg("compile")
            .arg(&model)
            .arg("-o")
            .arg(dir.path().join("out"))
            .arg("--fetch")
            .output()
            .expect("runs");
        (out.status.code(), text(&out.stderr))
    };
    // A lock that pins other data refuses the download.
    std::fs::write(
        dir.path().join("ttpc.lock"),
        format!(
            "[[attack]]\ndomain = \"enterprise-attack\"\nversion = \"18.1\"\nsha256 = \"{}\"\n",
            "a".repeat(64)
        ),
    )
    .expect("write lock");
    let (code, stderr) = compile();
    assert_eq!(code, Some(2));
    assert!(stderr.contains("is pinned; nothing was written"), "{stderr}");
    assert!(!cache.path().join("attack/enterprise-attack-18.1.json").exists());
    // Without the pin it downloads, compiles and pins.
    std::fs::remove_file(dir.path().join("ttpc.lock")).expect("rm lock");
    let (code, stderr) = compile();
    assert!(matches!(code, Some(0 | 1)), "{stderr}");
    assert!(stderr.contains("fetched ATT&CK enterprise-attack 18.1"), "{stderr}");
    assert!(dir.path().join("out/assessment.json").is_file());
    assert!(
        std::fs::read_to_string(dir.path().join("ttpc.lock")).expect("lock").contains(&sha256(&mini21()))
    );
}
