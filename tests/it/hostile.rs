//! Hostile input: what a pull request could put in a model, a rule folder, a template or an
//! ATT&CK file. Each case asserts the exit code, the diagnostic, that nothing panicked, and the
//! peak memory of the run (as ttpc reports it under `TTPC_TIMINGS`) against a stated bound.
//!
//! Every case runs in a throw-away "repository" (a temporary folder with a `.git`), so the
//! confinement rules apply as they would in CI.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};

/// A finished run: exit code, output, and peak memory.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// `None` where the system does not tell (only Linux does).
    max_rss_mib: Option<f64>,
}

/// Runs the ttpc binary with the same clean environment as `common::ttpc()` and
/// `TTPC_TIMINGS=1`, under which ttpc reports its own peak resident set size (the kernel's
/// high-water mark, what GNU time's "maximum resident set size" reads) as its last line.
fn run(dir: &Path, args: &[&str]) -> Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ttpc"))
        .args(args)
        .env_remove("TTPC_ATTACK_DATA")
        .env_remove("TTPC_ATOMICS")
        .env("TTPC_CACHE", dir.join(".cache"))
        .env("TTPC_NO_CACHE", "1")
        .env("TTPC_TIMINGS", "1")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .current_dir(dir)
        .output()
        .expect("ttpc runs");
    let stderr = common::text(&output.stderr);
    let max_rss_mib = common::peak_memory_mib(&stderr);
    let run = Run { code: output.status.code(), stdout: common::text(&output.stdout), stderr, max_rss_mib };
    common::assert_no_panic(&run.stderr);
    run
}

impl Run {
    fn expect(&self, code: i32, needle: &str, max_mib: f64) -> &Run {
        assert_eq!(self.code, Some(code), "exit code\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(
            self.stderr.contains(needle) || self.stdout.contains(needle),
            "expected {needle:?}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        match self.max_rss_mib {
            Some(peak) => assert!(peak < max_mib, "peak memory {peak:.1} MiB, bound {max_mib} MiB"),
            None if cfg!(target_os = "linux") => panic!("ttpc reported no peak memory:\n{}", self.stderr),
            None => eprintln!("peak memory not measured: this system does not report it"),
        }
        self
    }
}

/// A throw-away repository holding a valid model (`models/model.yaml`) with `extra` appended,
/// and a copy of the mini ATT&CK bundle.
fn repository(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".git")).expect(".git");
    std::fs::create_dir_all(dir.path().join("models")).expect("models");
    std::fs::copy(common::mini21(), dir.path().join("attack.json")).expect("bundle");
    let model = format!(
        "ttpc: 1\nname: Hostile\nattack: {{domain: enterprise-attack, version: \"18.1\"}}\nactors:\n  - ref: FIN7\n{extra}"
    );
    std::fs::write(dir.path().join("models/model.yaml"), model).expect("model");
    dir
}

/// `ttpc compile models/model.yaml` in the repository, outputs to `out/`.
fn compile(dir: &Path, more: &[&str]) -> Run {
    let mut args =
        vec!["compile", "models/model.yaml", "--attack-data", "attack.json", "--as-of", "2026-03-15"];
    args.extend_from_slice(more);
    run(dir, &args)
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir(dir)
}

/// Every output file of the repository: `out/`, and the default `models/out/`.
fn outputs(dir: &Path) -> Vec<PathBuf> {
    let mut all = walkdir(&dir.join("out"));
    all.extend(walkdir(&dir.join("models/out")));
    all
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !path.is_symlink() {
                out.extend(walkdir(&path));
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------- YAML bombs and deep nesting

/// "Billion laughs": nine levels of nine aliases each, a billion strings if expanded.
fn alias_bomb() -> String {
    let mut text = String::from("lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("lol{i}: &a{i} [{refs}]\n"));
    }
    text
}

#[test]
fn a_model_with_an_alias_bomb_is_refused_quickly() {
    let dir = repository(&alias_bomb());
    compile(dir.path(), &[]).expect(2, "repetition limit exceeded", 64.0);
}

#[test]
fn a_deeply_nested_model_is_refused_before_the_parser_goes_quadratic() {
    // 100,000 levels took serde_yaml's scanner 24 s before it reached its own depth limit.
    let nest = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let dir = repository(&nest);
    let run = compile(dir.path(), &[]);
    run.expect(2, "ttpc::limits::yaml_depth", 64.0);
    assert!(run.stderr.contains("line 6"), "{}", run.stderr);
    // The same depth spread over lines, which yaml-rust2 and libyaml disagree about.
    let nest = format!("x: {}{}\n", "[\n".repeat(100_000), "]".repeat(100_000));
    let dir = repository(&nest);
    compile(dir.path(), &[]).expect(2, "ttpc::limits::yaml_depth", 64.0);
}

#[test]
fn a_rule_file_with_a_bomb_or_a_deep_nest_is_skipped_with_a_warning() {
    let dir = repository("rules:\n  - {kind: sigma, path: ../rules, name: PR rules}\n");
    let rule = "title: Good\nid: 1\ntags: [attack.t1059.001]\nlogsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\n";
    write(&dir.path().join("rules/good.yml"), rule);
    write(
        &dir.path().join("rules/bomb.yml"),
        &format!("title: Bomb\n{}detection: {{sel: *a9, condition: sel}}\n", alias_bomb()),
    );
    write(
        &dir.path().join("rules/deep.yml"),
        &format!("title: Deep\ndetection: {}{}\n", "{a: ".repeat(50_000), "}".repeat(50_000)),
    );
    let run = compile(dir.path(), &["--format", "json"]);
    run.expect(0, "ttpc::limits::rule_file", 96.0);
    assert!(run.stderr.contains("rule file deep.yml of PR rules was not read"), "{}", run.stderr);
    let a: ttpc::assessment::Assessment = serde_json::from_str(&run.stdout).expect("assessment");
    // The good rule still counts; the bomb is a rule whose detection was never expanded.
    let t = a.techniques.iter().find(|t| t.id == "T1059.001").expect("FIN7 uses T1059.001");
    assert_eq!(t.rules.len(), 1, "{:?}", t.rules);
}

#[test]
fn an_elastic_rule_nested_too_deep_is_a_syntax_skip() {
    let dir = repository("rules:\n  - {kind: elastic, path: ../rules}\n");
    write(
        &dir.path().join("rules/deep.toml"),
        &format!("[rule]\nname = \"x\"\nthreat = {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    let run = run(dir.path(), &["rules", "--kind", "elastic", "rules", "--attack-data", "attack.json"]);
    run.expect(0, "recursion", 64.0);
}

#[test]
fn a_model_line_too_long_to_quote_is_reported_without_quoting_it() {
    // miette panicked laying out a label past column 65,535.
    let dir = repository(&format!("description: {}: b: c\n", "a".repeat(200_000)));
    compile(dir.path(), &[]).expect(2, "the line is too long to quote", 64.0);
}

#[test]
fn twenty_thousand_unknown_actors_show_the_first_fifty_problems() {
    // Each quoted problem scanned the file again: 24 s to print before the cap.
    let actors: String = (0..20_000).map(|i| format!("  - ref: Nobody{i}\n")).collect();
    let dir = repository(&actors);
    compile(dir.path(), &[]).expect(2, "… and 19950 more problems", 64.0);
    // Pairwise checks were quadratic: 20,000 duplicates and a 1,000-character unknown target.
    let dupes = "  - ref: FIN7\n".repeat(20_000);
    let dir = repository(&format!("{dupes}targets:\n  actors:\n    {}: 50%\n", "x".repeat(1_000)));
    // Target keys are checked beside the resolved actors (so a misspelt actor carries the error):
    // the 20,000 profiles are built first, linear in the count, hence a wider bound.
    compile(dir.path(), &[]).expect(2, "ttpc::model::unknown_target_actor", 128.0);
}

// ---------------------------------------------------------------- sizes and counts

#[test]
fn a_two_gigabyte_rule_file_is_not_read() {
    let dir = repository("rules:\n  - {kind: sigma, path: ../rules, name: PR rules}\n");
    std::fs::create_dir_all(dir.path().join("rules")).expect("mkdir");
    // Sparse: 2 GiB on paper, nothing on disk.
    let file = std::fs::File::create(dir.path().join("rules/huge.yml")).expect("create");
    file.set_len(2 << 30).expect("sparse file");
    compile(dir.path(), &[]).expect(0, "2.0 GiB is over the 64.0 MiB limit for one file", 64.0);
    // Named directly, the same; and the limit is the operator's to lower.
    let dir = repository("rules:\n  - {kind: sigma, path: ../rules/one.yml}\n");
    write(&dir.path().join("rules/one.yml"), &"# padding\n".repeat(200));
    compile(dir.path(), &["--max-file-size", "1KiB"]).expect(0, "over the 1.0 KiB limit", 64.0);
}

#[test]
fn a_two_gigabyte_model_or_bundle_is_refused_before_reading() {
    let dir = repository("");
    let file = std::fs::File::create(dir.path().join("models/model.yaml")).expect("create");
    file.set_len(2 << 30).expect("sparse file");
    compile(dir.path(), &[]).expect(2, "ttpc::limits::model", 64.0);

    let dir = repository("");
    let file = std::fs::File::create(dir.path().join("attack.json")).expect("create");
    file.set_len(2 << 30).expect("sparse file");
    compile(dir.path(), &[]).expect(2, "ttpc::limits::bundle", 64.0);
}

#[cfg(unix)]
#[test]
fn a_file_that_never_ends_is_cut_at_the_limit() {
    // `/dev/zero` reports size 0: only the capped read stops it. A model may name it only with
    // the operator's `--allow-outside`; as a rule source it is a link, never followed.
    let dir = repository("outputs: {report: {template: /dev/zero}}\n");
    compile(dir.path(), &[]).expect(2, "ttpc::confine::outside", 64.0);
    compile(dir.path(), &["--allow-outside", "--max-file-size", "1MiB"]).expect(
        2,
        "over the 1.0 MiB limit",
        64.0,
    );
    let dir = repository("rules:\n  - {kind: sigma, path: ../rules}\n");
    std::fs::create_dir_all(dir.path().join("rules")).expect("mkdir");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("rules/zero.yml")).expect("symlink");
    let run = run(dir.path(), &["rules", "--kind", "sigma", "rules", "--attack-data", "attack.json"]);
    run.expect(0, "zero.yml", 64.0);
    assert!(run.stdout.contains("symbolic link, not followed"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_is_not_followed() {
    let dir = repository("rules:\n  - {kind: sigma, path: ../rules}\n");
    std::fs::create_dir_all(dir.path().join("rules/a")).expect("mkdir");
    std::os::unix::fs::symlink("..", dir.path().join("rules/a/loop")).expect("symlink");
    std::os::unix::fs::symlink("loop2", dir.path().join("rules/loop1")).expect("symlink");
    std::os::unix::fs::symlink("loop1", dir.path().join("rules/loop2")).expect("symlink");
    let run = run(dir.path(), &["rules", "--kind", "sigma", "rules", "--attack-data", "attack.json"]);
    run.expect(0, "symbolic link, not followed", 64.0);
    assert_eq!(run.stdout.matches("symbolic link, not followed").count(), 3, "{}", run.stdout);
}

#[test]
#[ignore = "slow: creates 100,000 files (runs in CI with --include-ignored)"]
fn a_hundred_thousand_tiny_files_are_a_bounded_run_or_a_refusal() {
    let dir = repository("rules:\n  - {kind: csv, path: ../rules, name: Tiny}\n");
    let rules = dir.path().join("rules");
    for folder in 0..100 {
        let sub = rules.join(format!("{folder:03}"));
        std::fs::create_dir_all(&sub).expect("mkdir");
        for n in 0..1000 {
            let mut f = std::fs::File::create(sub.join(format!("{n:04}.csv"))).expect("create");
            writeln!(f, "id,techniques\nR{folder}-{n},T1059.001").expect("write");
        }
    }
    let run = compile(dir.path(), &["--format", "json"]);
    run.expect(0, "\"techniques\"", 512.0);
    let a: ttpc::assessment::Assessment = serde_json::from_str(&run.stdout).expect("assessment");
    assert_eq!((a.sources[0].files, a.sources[0].rules), (100_000, 100_000), "one rule per file");
    compile(dir.path(), &["--max-files", "50000"]).expect(2, "holds more than 50000 files", 64.0);
}

/// A bundle with the mini matrix and a million extra `uses` relationships.
fn million_relationship_bundle(path: &Path) {
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(common::mini21()).expect("mini")).expect("json");
    let objects = bundle["objects"].as_array().expect("objects");
    let id_of = |kind: &str| {
        objects.iter().find(|o| o["type"] == kind).and_then(|o| o["id"].as_str()).expect("id").to_owned()
    };
    let (group, technique) = (id_of("intrusion-set"), id_of("attack-pattern"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write!(
        out,
        "{{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\",\"objects\":["
    )
    .expect("w");
    for o in objects {
        write!(out, "{o},").expect("w");
    }
    for i in 0..1_000_000u64 {
        if i > 0 {
            out.write_all(b",").expect("w");
        }
        write!(
            out,
            "{{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"relationship--00000000-0000-4000-8000-{i:012}\",\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"2025-01-01T00:00:00.000Z\",\"relationship_type\":\"uses\",\"source_ref\":\"{group}\",\"target_ref\":\"{technique}\"}}"
        )
        .expect("w");
    }
    out.write_all(b"]}").expect("w");
    out.flush().expect("flush");
}

#[test]
#[ignore = "slow: writes and parses a 240 MB bundle (runs in CI with --include-ignored)"]
fn a_bundle_with_a_million_relationships_is_a_bounded_run() {
    let dir = repository("");
    million_relationship_bundle(&dir.path().join("attack.json"));
    let run = run(dir.path(), &["actors", "--attack-data", "attack.json"]);
    run.expect(0, "FIN7", 1536.0);
    eprintln!("a million relationships: peak {:?} MiB", run.max_rss_mib);
    run.expect(0, "FIN7", 1536.0);
    let refused =
        self::run(dir.path(), &["actors", "--attack-data", "attack.json", "--max-bundle-size", "100MB"]);
    refused.expect(2, "ttpc::limits::bundle", 64.0);
}

// ---------------------------------------------------------------- templates

#[test]
fn a_hostile_template_cannot_hang_read_files_or_flood_the_disk() {
    let cases = [
        (
            "loop.md.j2",
            "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}",
            "fuel",
        ),
        ("recurse.md.j2", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recursion"),
        ("include.md.j2", "{% include '/etc/passwd' %}", "template not found"),
        (
            "flood.md.j2",
            "{% set s = 'x' * 10000000 %}{% for i in range(100) %}{{ s }}{% endfor %}",
            "output limit",
        ),
    ];
    for (name, source, needle) in cases {
        let dir = repository(&format!("outputs: {{report: {{template: ../templates/{name}}}}}\n"));
        write(&dir.path().join("templates").join(name), source);
        let run = compile(dir.path(), &[]);
        run.expect(2, needle, 512.0);
        assert_eq!(outputs(dir.path()), Vec::<PathBuf>::new(), "{name}: a failed render writes nothing");
    }
}

// ---------------------------------------------------------------- confinement

#[test]
fn model_paths_leaving_the_repository_are_refused_unless_allowed() {
    let outside = tempfile::tempdir().expect("outside");
    write(&outside.path().join("rules/r.csv"), "id,techniques\nR1,T1059.001\n");
    let abs = outside.path().join("rules").display().to_string();
    let cases = [
        (format!("rules:\n  - {{kind: csv, path: '{abs}'}}\n"), "it is an absolute path"),
        (String::from("outputs: {dir: ../../escaped}\n"), "`..` climbs out of it"),
        (String::from("outputs: {report: {template: /etc/passwd}}\n"), "report template `/etc/passwd`"),
        (String::from("validation: {results: ../../../../etc/shadow}\n"), "results file"),
    ];
    for (extra, needle) in cases {
        let dir = repository(&extra);
        let run = compile(dir.path(), &[]);
        run.expect(2, "ttpc::confine::outside", 64.0);
        assert!(run.stderr.contains(needle), "{needle}\n{}", run.stderr);
        assert!(run.stderr.contains("--allow-outside"), "{}", run.stderr);
        assert_eq!(outputs(dir.path()), Vec::<PathBuf>::new(), "nothing written");
    }
    // The operator may allow it.
    let dir = repository(&format!("rules:\n  - {{kind: csv, path: '{abs}'}}\n"));
    compile(dir.path(), &["--allow-outside", "-o", "out"]).expect(0, "Wrote", 64.0);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_repository_is_refused() {
    let outside = tempfile::tempdir().expect("outside");
    write(&outside.path().join("secret.csv"), "id,techniques\nR1,T1059.001\n");
    let dir = repository("rules:\n  - {kind: csv, path: ../rules}\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("rules")).expect("symlink");
    let run = compile(dir.path(), &[]);
    run.expect(2, "a symbolic link on the way leads to", 64.0);
}

#[cfg(unix)]
#[test]
fn outputs_are_never_written_through_a_symbolic_link_out_of_the_output_folder() {
    let outside = tempfile::tempdir().expect("outside");
    let dir = repository("outputs: {dir: ../out}\n");
    std::fs::create_dir_all(dir.path().join("out")).expect("out");
    // A committed `out/layers` pointing elsewhere would carry the layers there: the folder holds
    // something ttpc did not write, so it is not replaced.
    std::os::unix::fs::symlink(outside.path(), dir.path().join("out/layers")).expect("symlink");
    let run = compile(dir.path(), &[]);
    run.expect(2, "ttpc::io::foreign_folder", 64.0);
    assert_eq!(files_under(outside.path()), Vec::<PathBuf>::new(), "nothing written outside");
    assert!(!dir.path().join("out/report.md").exists(), "nothing written at all");

    // The same link planted in a folder of an earlier compile: the folder is replaced whole, the
    // link with it, and nothing is written through it.
    std::fs::remove_file(dir.path().join("out/layers")).expect("rm link");
    compile(dir.path(), &[]).expect(0, "", 64.0);
    std::fs::remove_dir_all(dir.path().join("out/layers")).expect("rm layers");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("out/layers")).expect("symlink");
    compile(dir.path(), &[]).expect(0, "", 64.0);
    assert_eq!(files_under(outside.path()), Vec::<PathBuf>::new(), "nothing written outside");
    assert!(dir.path().join("out/layers").is_dir() && !dir.path().join("out/layers").is_symlink());
}
