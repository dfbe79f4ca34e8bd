//! ATT&CK data management through the binary: `ttpc attack fetch` against a loopback HTTP server
//! (success, 404, a truncated response, a pinned hash that does not match; the newest release
//! from MITRE's index of releases, and an index that cannot be read), `attack import`,
//! `attack list` (the newest release marked), `init` pinning the newest cached release, the note
//! on a model pinned to an older release, `compile --fetch`, and `ttpc.lock`. No test reaches the
//! internet.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

use crate::common::{mini20, mini21, text, ttpc};

/// Serves the mini bundle at the official path layout, a 404 for other versions, and a response
/// cut off half way under `/truncated/`. Returns the base URL.
fn serve() -> String {
    let bundle = std::fs::read(mini21()).expect("fixture");
    serve_routes(vec![
        ("/enterprise-attack/enterprise-attack-18.1.json", bundle.clone(), bundle.len()),
        ("/truncated/enterprise-attack/enterprise-attack-18.1.json", bundle.clone(), bundle.len() / 2),
    ])
}

/// Serves each route's body (only its first `sent` bytes, under a Content-Length of the whole),
/// and a 404 for anything else. Returns the base URL.
fn serve_routes(routes: Vec<(&'static str, Vec<u8>, usize)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
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
            let (head, body) = match routes.iter().find(|(p, _, _)| *p == path) {
                Some((_, body, sent)) => (
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()),
                    body[..*sent].to_vec(),
                ),
                None => (
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

/// MITRE's index of releases in attack-stix-data's shape, its versions out of order.
fn index_json(enterprise: &[&str]) -> Vec<u8> {
    let versions = |domain: &str, list: &[&str]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|v| {
                serde_json::json!({
                    "version": v,
                    "url": format!("https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/{domain}/{domain}-{v}.json"),
                    "modified": "2026-01-01T00:00:00.000Z"
                })
            })
            .collect()
    };
    serde_json::to_vec(&serde_json::json!({
        "id": "bundle--00000000-0000-4000-8000-000000000000",
        "name": "MITRE ATT&CK",
        "collections": [
            {"id": "x-mitre-collection--1", "name": "Mobile ATT&CK", "versions": versions("mobile-attack", &["99.0"])},
            {"id": "x-mitre-collection--2", "name": "Enterprise ATT&CK", "versions": versions("enterprise-attack", enterprise)},
            {"id": "x-mitre-collection--3", "name": "ICS ATT&CK", "versions": versions("ics-attack", &["98.0"])},
        ]
    }))
    .expect("JSON")
}

/// Puts fixture bundles into a cache folder as `attack/<name>`.
fn cache_with(files: &[(&str, &Path)]) -> tempfile::TempDir {
    let cache = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(cache.path().join("attack")).expect("mkdir");
    for (name, from) in files {
        std::fs::copy(from, cache.path().join("attack").join(name)).expect("copy");
    }
    cache
}

#[test]
fn fetch_without_a_version_takes_the_highest_release_of_the_index() {
    let bundle = std::fs::read(mini21()).expect("fixture");
    // List order and string order both name another release than the numerically highest.
    let index = index_json(&["19.9", "19.10", "9.0", "18.1", "19.2"]);
    let base = serve_routes(vec![
        ("/index.json", index.clone(), index.len()),
        ("/enterprise-attack/enterprise-attack-19.10.json", bundle.clone(), bundle.len()),
    ]);
    let cache = tempfile::tempdir().expect("temp");
    let out = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["attack", "fetch", "--url", &base])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains(&format!("the newest enterprise-attack release in {base}/index.json is 19.10")),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("fetched ATT&CK enterprise-attack 19.10"), "{}", text(&out.stdout));
    assert_eq!(sha256(&cache.path().join("attack/enterprise-attack-19.10.json")), sha256(&mini21()));
    assert_eq!(tree(cache.path()).len(), 2, "the bundle and its meta only: {:?}", tree(cache.path()));
}

#[test]
fn an_unreadable_or_malformed_index_names_the_url_asks_for_a_version_and_writes_nothing() {
    let bundle = std::fs::read(mini21()).expect("fixture");
    let no_enterprise =
        br#"{"collections":[{"name":"Mobile ATT&CK","versions":[{"version":"18.1"}]}]}"#.to_vec();
    let huge = vec![b' '; 4 * 1024 * 1024 + 1];
    let base = serve_routes(vec![
        ("/enterprise-attack/enterprise-attack-18.1.json", bundle.clone(), bundle.len()),
        ("/garbled/index.json", b"{\"collections\": 3}".to_vec(), 18),
        ("/other/index.json", no_enterprise.clone(), no_enterprise.len()),
        ("/huge/index.json", huge.clone(), huge.len()),
    ]);
    let cache = tempfile::tempdir().expect("temp");
    let fetch = |prefix: &str| {
        let url = format!("{base}{prefix}");
        let out = ttpc()
            .env("TTPC_CACHE", cache.path())
            .env("TTPC_ATTACK_URL", &url)
            .args(["attack", "fetch"])
            .output()
            .expect("runs");
        let stderr = text(&out.stderr);
        common::assert_no_panic(&stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("{url}/index.json")), "names the URL: {stderr}");
        assert!(stderr.contains("--version 18.1"), "asks for --version: {stderr}");
        stderr
    };
    // No index at all (the bundle itself is there: nothing is guessed).
    let stderr = fetch("");
    assert!(stderr.contains("index_unavailable") && stderr.contains("answered 404"), "{stderr}");
    let stderr = fetch("/garbled");
    assert!(stderr.contains("index_malformed") && stderr.contains("expected a sequence"), "{stderr}");
    let stderr = fetch("/other");
    assert!(
        stderr.contains("no collection for enterprise-attack") && stderr.contains("Mobile ATT&CK"),
        "{stderr}"
    );
    let stderr = fetch("/huge");
    assert!(stderr.contains("more than the 4194304-byte limit"), "{stderr}");
    assert!(tree(cache.path()).is_empty(), "the cache stays empty: {:?}", tree(cache.path()));
}

#[test]
fn list_marks_the_newest_release_of_each_domain() {
    let ics = common::fixture("attack/mini-ics-2.1.json");
    let mini = mini21();
    let cache = cache_with(&[
        ("enterprise-attack-9.0.json", &mini),
        ("enterprise-attack-18.10.json", &mini),
        ("enterprise-attack-18.9.json", &mini),
        ("ics-attack-17.1.json", &ics),
    ]);
    let out = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["attack", "list", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows: Vec<(String, String, bool)> = v
        .as_array()
        .expect("list")
        .iter()
        .map(|b| {
            let s = |k: &str| b[k].as_str().expect("string").to_owned();
            (s("domain"), s("version"), b["newest"].as_bool().expect("newest"))
        })
        .collect();
    let row = |d: &str, v: &str, n: bool| (d.to_owned(), v.to_owned(), n);
    assert_eq!(
        rows,
        [
            row("enterprise-attack", "9.0", false),
            row("enterprise-attack", "18.9", false),
            row("enterprise-attack", "18.10", true),
            row("ics-attack", "17.1", true),
        ]
    );
    let out = ttpc().env("TTPC_CACHE", cache.path()).args(["attack", "list"]).output().expect("runs");
    let list = text(&out.stdout);
    assert!(list.contains("domain             version  newest  bytes"), "{list}");
    let marked: Vec<Vec<&str>> = list
        .lines()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>())
        .filter(|cells| cells.get(2) == Some(&"yes"))
        .collect();
    assert_eq!(
        marked,
        [vec!["enterprise-attack", "18.10", "yes"], vec!["ics-attack", "17.1", "yes"]],
        "{list}"
    );
}

#[test]
fn init_pins_the_newest_cached_release_and_says_why() {
    let mini = mini21();
    let ics = common::fixture("attack/mini-ics-2.1.json");
    let cache = cache_with(&[
        ("enterprise-attack-17.1.json", &mini),
        ("enterprise-attack-19.0.json", &mini),
        ("ics-attack-20.0.json", &ics),
    ]);
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("threat-model.yaml");
    let out = ttpc().env("TTPC_CACHE", cache.path()).args(["init", "-o"]).arg(&model).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(
            "pinned ATT&CK enterprise-attack 19.0: the newest enterprise-attack release in the cache"
        ),
        "{}",
        text(&out.stdout)
    );
    let written = std::fs::read_to_string(&model).expect("written");
    assert!(written.contains("attack: {domain: enterprise-attack, version: '19.0'}"), "{written}");
    // It checks against that release, with no note about a newer one.
    let out = ttpc().env("TTPC_CACHE", cache.path()).arg("check").arg(&model).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("note:"), "{}", text(&out.stderr));

    // An empty cache: the default, and the reason.
    let empty = tempfile::tempdir().expect("temp");
    let other = dir.path().join("other.yaml");
    let out = ttpc().env("TTPC_CACHE", empty.path()).args(["init", "-o"]).arg(&other).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "pinned ATT&CK enterprise-attack {}: the cache holds no enterprise-attack release",
            ttpc::attack::store::LATEST_KNOWN
        )),
        "{stdout}"
    );
    // An explicit release wins over the cache.
    let given = dir.path().join("given.yaml");
    let out = ttpc()
        .env("TTPC_CACHE", cache.path())
        .args(["init", "--attack-version", "17.1", "-o"])
        .arg(&given)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("pinned ATT&CK enterprise-attack 17.1: as given"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_model_pinned_to_an_older_cached_release_gets_one_note_never_a_failure() {
    let mini = mini21();
    let ics = common::fixture("attack/mini-ics-2.1.json");
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("mini.yaml");
    std::fs::copy(common::fixture("models/mini.yaml"), &model).expect("copy");
    let run = |cache: &Path, args: &[&str]| {
        let out = ttpc().env("TTPC_CACHE", cache).args(args).arg(&model).output().expect("runs");
        let stderr = text(&out.stderr);
        common::assert_no_panic(&stderr);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
        stderr
    };
    let note = format!(
        "note: ATT&CK 19.0 is in the cache (this model pins 18.1): `ttpc migrate {} --to 19.0` moves it",
        model.display()
    );
    let cache = cache_with(&[
        ("enterprise-attack-18.1.json", &mini),
        ("enterprise-attack-19.0.json", &mini),
        ("enterprise-attack-9.0.json", &mini),
        // Another domain's newer release is no reason for a note.
        ("ics-attack-25.0.json", &ics),
    ]);
    let stderr = run(cache.path(), &["check"]);
    assert_eq!(stderr.matches(&note).count(), 1, "{stderr}");
    assert_eq!(stderr.matches("note:").count(), 1, "{stderr}");
    let out = dir.path().join("out");
    let out = out.to_str().expect("UTF-8");
    let stderr = run(cache.path(), &["compile", "-o", out]);
    assert_eq!(stderr.matches(&note).count(), 1, "{stderr}");
    // Not when a file is named explicitly.
    let stderr = run(cache.path(), &["check", "--attack-data", mini.to_str().expect("UTF-8")]);
    assert!(!stderr.contains("note:"), "{stderr}");
    // Not when the pinned release is the newest.
    let current = cache_with(&[("enterprise-attack-18.1.json", &mini), ("ics-attack-25.0.json", &ics)]);
    let stderr = run(current.path(), &["check"]);
    assert!(!stderr.contains("note:"), "{stderr}");
}
