//! Confinement: the files a model names — rule sources, Atomic Red Team folder, results file,
//! report templates, output folder — must lie inside the model's repository.
//!
//! On a pull request the model is untrusted: without this, a PR could point `outputs.dir` at
//! `~/.ssh`, a rule source at `/etc`, or a template at a CI secret and have the report quote it.
//! A path leaves the repository when it is absolute, climbs out with `..`, or passes through a
//! symbolic link that points outside; all three are refused, with a diagnostic at the model line,
//! unless the operator says `--allow-outside`. Paths the operator gives on the command line
//! (`-o`, `--template`, `--atomics`, `--attack-data`) are the operator's choice and not checked.
//!
//! The repository root is the nearest folder above the model holding `.git`; without one, the
//! current folder when the model lies inside it; else the model's own folder.

use std::path::{Path, PathBuf};

use crate::diagnostics::Problem;
use crate::model::LoadedModel;
use crate::model::tidy;

/// The repository root of a model file, canonical (symbolic links resolved).
pub fn repository_root(model_path: &Path) -> PathBuf {
    let model = canonical_prefix(&absolute(model_path));
    let folder = model.parent().map_or_else(|| PathBuf::from("/"), Path::to_owned);
    if let Some(git) = folder.ancestors().find(|a| a.join(".git").exists()) {
        return git.to_owned();
    }
    if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize())
        && folder.starts_with(&cwd)
    {
        return cwd;
    }
    folder
}

/// Every path in the model that leaves `root`, as an error at the line that names it.
pub fn check_model(model: &LoadedModel, root: &Path) -> Vec<Problem> {
    let m = &model.model;
    let mut named: Vec<(String, &str, &str)> = Vec::new();
    for (i, source) in m.rules.iter().enumerate() {
        if !source.path.is_empty() {
            named.push((format!("/rules/{i}/path"), source.path.as_str(), "rule source"));
        }
        if let Some(crate::model::Capabilities::File(file)) = &source.capabilities {
            named.push((format!("/rules/{i}/capabilities/path"), file.path.as_str(), "capability list"));
        }
        if let Some(ca) = &source.ca_file {
            named.push((format!("/rules/{i}/ca_file"), ca, "certificate file"));
        }
        if let Some(snapshot) = &source.snapshot {
            named.push((format!("/rules/{i}/snapshot"), snapshot, "snapshot"));
        }
    }
    for (i, source) in m.intelligence.iter().enumerate() {
        named.push((format!("/intelligence/{i}/path"), source.path.as_str(), "intelligence source"));
    }
    for (i, source) in m.priority.weights.iter().enumerate() {
        named.push((format!("/priority/weights/{i}/path"), source.path.as_str(), "weight source"));
    }
    if let Some(v) = &m.validation {
        if let Some(atomics) = &v.atomics {
            named.push((String::from("/validation/atomics"), atomics, "Atomic Red Team folder"));
        }
        if let Some(results) = &v.results {
            named.push((String::from("/validation/results"), results, "results file"));
        }
    }
    if let Some(dir) = &m.outputs.dir {
        named.push((String::from("/outputs/dir"), dir, "output folder"));
    }
    if let Some(t) = &m.outputs.report.template {
        named.push((String::from("/outputs/report/template"), t, "report template"));
    }
    if let Some(t) = &m.outputs.report.html_template {
        named.push((String::from("/outputs/report/html_template"), t, "HTML report template"));
    }

    let mut problems = Vec::new();
    for (pointer, written, what) in named {
        let Some(escape) = escape(root, &model.resolve_path(written), written) else { continue };
        problems.push(
            Problem::error(
                "ttpc::confine::outside",
                format!("{what} `{written}` is outside the repository: {escape}"),
                model.span(&pointer),
            )
            .label("leaves the repository")
            .help(format!(
                "keep the paths a model names inside its repository ({}); pass --allow-outside if you trust this model",
                root.display()
            )),
        );
    }
    problems
}

/// How `path` (as `written` in the model) leaves `root`, or `None` when it stays inside.
pub fn escape(root: &Path, path: &Path, written: &str) -> Option<String> {
    let lexical = tidy(&absolute(path));
    let real = canonical_prefix(&lexical);
    if Path::new(written).is_absolute() && !real.starts_with(root) {
        return Some(String::from("it is an absolute path"));
    }
    if !lexical.starts_with(root) && !real.starts_with(root) {
        return Some(String::from("`..` climbs out of it"));
    }
    if !real.starts_with(root) {
        return Some(format!("a symbolic link on the way leads to {}", real.display()));
    }
    None
}

/// `path` made absolute against the current folder, without touching the disk.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The path with its longest existing prefix canonicalised (symbolic links resolved) and the
/// rest, which does not exist yet (an output folder), appended as written.
fn canonical_prefix(path: &Path) -> PathBuf {
    let mut existing = path.to_owned();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return tidy(&out);
        }
        match (existing.file_name().map(ToOwned::to_owned), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_owned();
            }
            _ => return tidy(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_stay_and_paths_outside_say_how_they_leave() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical").join("repo");
        std::fs::create_dir_all(root.join("rules")).expect("mkdir");
        let inside = root.join("models/../rules");
        assert_eq!(escape(&root, &inside, "../rules"), None);
        assert_eq!(escape(&root, &root.join("out/new/dir"), "out/new/dir"), None);
        let up = escape(&root, &root.join("../elsewhere"), "../elsewhere").expect("outside");
        assert!(up.contains(".."), "{up}");
        let abs = escape(&root, Path::new("/etc"), "/etc").expect("outside");
        assert!(abs.contains("absolute"), "{abs}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_repository_is_seen_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().canonicalize().expect("canonical");
        let root = base.join("repo");
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::create_dir_all(base.join("secrets")).expect("mkdir");
        std::os::unix::fs::symlink(base.join("secrets"), root.join("rules")).expect("symlink");
        let why = escape(&root, &root.join("rules/sigma"), "rules/sigma").expect("outside");
        assert!(why.contains("symbolic link"), "{why}");
    }
}
