//! The library's module graph follows the pipeline: every `crate::` path in `src/` is read, and
//! no module may use a module of a later stage (so the graph has no cycle either). The stages,
//! earliest first, are those of `src/lib.rs`'s front page; a new module must be placed here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common;

/// The stages, earliest first; modules of one stage may use each other (without a cycle).
const STAGES: &[&[&str]] = &[
    &["diagnostics", "limits", "timing", "yaml"],
    &["io"],
    &["cache"],
    &["attack"],
    &["model"],
    &["confine", "inputs", "git"],
    &["rules"],
    &["intel"],
    &["resolve"],
    &["assessment"],
    &["analysis"],
    &["check"],
    &["emit"],
    &["error"],
    &["pipeline", "locate"],
    &["migrate"],
    &["fuzzing"],
];

/// Source text without comments and string literals, so doc links and messages do not count.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal such as '"' must not open a string.
            '\'' => {
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\\") || rest.chars().nth(1) == Some('\'') {
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                    }
                }
                out.push('\'');
            }
            c => out.push(c),
        }
    }
    out
}

/// The top-level modules a source file uses through `crate::` paths (`crate::a`, `crate::{a, b::c}`).
fn used_modules(code: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the brace group.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        used.insert(ident(&group[j..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            used.insert(ident(rest));
        }
    }
    used.retain(|m| !m.is_empty());
    used
}

#[test]
fn no_module_uses_a_later_stage_of_the_pipeline() {
    let src = common::root().join("src");
    let stage_of: BTreeMap<&str, usize> =
        STAGES.iter().enumerate().flat_map(|(i, mods)| mods.iter().map(move |m| (*m, i))).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = Path::new(first.as_os_str()).file_stem().expect("a name").to_string_lossy().into_owned();
        // The binary's own modules use the library as `ttpc::`, never `crate::`.
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue;
        }
        let Some(&stage) = stage_of.get(module.as_str()) else {
            problems.push(format!("src/{} is in no stage: add `{module}` to STAGES", relative.display()));
            continue;
        };
        let text = std::fs::read_to_string(path).expect("source readable");
        for used in used_modules(&code_only(&text)) {
            if used == module {
                continue;
            }
            match stage_of.get(used.as_str()) {
                Some(&s) if s <= stage => {
                    graph.entry(module.clone()).or_default().insert(used);
                }
                Some(_) => problems.push(format!(
                    "src/{} ({module}) uses `crate::{used}`, a later stage",
                    relative.display()
                )),
                None => {
                    problems.push(format!("src/{} uses `crate::{used}`, in no stage", relative.display()))
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Within a stage, modules may use each other, but not in a circle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        assert!(!path.iter().any(|p| p == m), "a cycle: {} → {m}", path.join(" → "));
        path.push(m.to_owned());
        for next in graph.get(m).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(m.to_owned());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
    assert!(graph.get("analysis").is_some_and(|u| u.contains("assessment")), "the graph was read: {graph:?}");
}

#[test]
fn the_reader_finds_grouped_and_plain_paths_but_not_comments_or_strings() {
    let code = code_only(
        "use crate::{a, b::{c, d}, e};\nuse crate::f::g;\n// crate::h\nlet s = \"crate::i\";\nlet c = '\"'; crate::j::k();\n",
    );
    let used: Vec<String> = used_modules(&code).into_iter().collect();
    assert_eq!(used, ["a", "b", "e", "f", "j"]);
}

/// `fuzz/` is its own Cargo workspace with its own lock file, which CI builds `--locked`: a
/// dependency change of ttpc that is not carried into `fuzz/Cargo.lock` breaks CI's fuzzing step
/// only, long after the change. Caught here, in the ordinary test run, instead.
#[test]
fn the_fuzz_lock_file_follows_the_main_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(["tree", "--locked", "--offline", "--depth", "0", "--manifest-path"])
        .arg(root.join("fuzz/Cargo.toml"))
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("cannot update the lock file"),
        "fuzz/Cargo.lock is out of date: run `cargo update --workspace --manifest-path \
         fuzz/Cargo.toml` and commit it\n{stderr}"
    );
    if !out.status.success() {
        // Offline and the fuzzing crates never downloaded: the lock file was read and is current
        // as far as cargo got; say so rather than pass in silence.
        println!("fuzz/Cargo.lock: checked up to the download step ({})", stderr.trim());
    }
}
