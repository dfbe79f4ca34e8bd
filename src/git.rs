//! A model as it was at a git revision: `--baseline-ref REF` compiles the same model file at
//! `REF` (for instance `origin/main`) as the baseline, so a pull-request check needs no stored
//! artefact.
//!
//! The revision is checked out with `git worktree add --detach` into a temporary folder (removed,
//! with its worktree record, when the [`Checkout`] is dropped), so the rule sources, `ttpc.lock`,
//! the atomics and everything else the model names are those of the revision too. Only `git`
//! on the `PATH` is needed; the working tree of the repository is never touched.

use std::path::{Path, PathBuf};
use std::process::Command;

use miette::Diagnostic;
use thiserror::Error;

/// Why a revision cannot be checked out.
#[derive(Debug, Error, Diagnostic)]
pub enum GitError {
    /// `git` could not be run.
    #[error("cannot run git for --baseline-ref: {message}")]
    #[diagnostic(
        code(ttpc::git::unavailable),
        help("install git, or compile the base yourself and pass its assessment.json with --baseline")
    )]
    Unavailable {
        /// What went wrong.
        message: String,
    },
    /// The model is not in a git repository.
    #[error("{} is not in a git repository, so --baseline-ref {revision} has nothing to check out", model.display())]
    #[diagnostic(
        code(ttpc::git::not_a_repository),
        help(
            "run ttpc inside a clone of the repository, or pass an earlier assessment.json with --baseline"
        )
    )]
    NotARepository {
        /// The model file.
        model: PathBuf,
        /// The revision asked for.
        revision: String,
    },
    /// The revision does not name a commit.
    #[error("unknown git revision `{revision}` in {}", repository.display())]
    #[diagnostic(
        code(ttpc::git::unknown_revision),
        help(
            "check the name (`git rev-parse {revision}`); in CI, fetch it first (`git fetch origin main`, or `fetch-depth: 0` with actions/checkout)"
        )
    )]
    UnknownRevision {
        /// The revision asked for.
        revision: String,
        /// The repository.
        repository: PathBuf,
    },
    /// The model file did not exist at the revision.
    #[error("{} does not exist at {revision}", relative.display())]
    #[diagnostic(
        code(ttpc::git::no_model_at_revision),
        help("a new model has no baseline: compile it without --baseline-ref")
    )]
    NoModelAtRevision {
        /// The model's path inside the repository.
        relative: PathBuf,
        /// The revision.
        revision: String,
    },
    /// `git worktree add` failed.
    #[error("cannot check out {revision}: {message}")]
    #[diagnostic(code(ttpc::git::checkout))]
    Checkout {
        /// The revision.
        revision: String,
        /// git's message.
        message: String,
    },
}

/// A revision checked out in a temporary worktree; removed again on drop.
#[derive(Debug)]
pub struct Checkout {
    /// The repository's top-level folder.
    repository: PathBuf,
    /// The worktree (inside `_temp`).
    tree: PathBuf,
    /// The commit checked out.
    commit: String,
    _temp: tempfile::TempDir,
}

impl Checkout {
    /// Checks out `revision` of the repository holding `model`.
    pub fn of_model(model: &Path, revision: &str) -> Result<Checkout, GitError> {
        let model = std::path::absolute(model).unwrap_or_else(|_| model.to_owned());
        let folder = model.parent().unwrap_or(Path::new("/"));
        let top = git(folder, &["rev-parse", "--show-toplevel"])?
            .map_err(|_| GitError::NotARepository { model: model.clone(), revision: revision.to_owned() })?;
        let repository = PathBuf::from(top.trim());
        let spec = format!("{revision}^{{commit}}");
        let commit = git(&repository, &["rev-parse", "--verify", "--quiet", "--end-of-options", &spec])?
            .map_err(|_| GitError::UnknownRevision {
                revision: revision.to_owned(),
                repository: repository.clone(),
            })?
            .trim()
            .to_owned();
        let temp = tempfile::Builder::new().prefix("ttpc-baseline-").tempdir().map_err(|e| {
            GitError::Unavailable { message: format!("cannot create a temporary folder: {e}") }
        })?;
        let tree = temp.path().join("tree");
        let tree_arg = tree.to_string_lossy().into_owned();
        git(&repository, &["worktree", "add", "--detach", "--quiet", &tree_arg, &commit])?
            .map_err(|message| GitError::Checkout { revision: revision.to_owned(), message })?;
        Ok(Checkout { repository, tree, commit, _temp: temp })
    }

    /// The commit checked out (full hash).
    pub fn commit(&self) -> &str {
        &self.commit
    }

    /// Where `file` (a path in the repository's working tree) is in the checkout, or an error
    /// when it did not exist at the revision.
    pub fn path_of(&self, file: &Path, revision: &str) -> Result<PathBuf, GitError> {
        let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
        let canonical_repo = self.repository.canonicalize().unwrap_or_else(|_| self.repository.clone());
        // The file's folder exists in the working tree; canonical on both sides so symbolic links
        // (`/tmp` → `/private/tmp`) do not hide the prefix.
        let folder = absolute.parent().unwrap_or(Path::new("/"));
        let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_owned());
        let relative = folder
            .strip_prefix(&canonical_repo)
            .map(|f| f.join(absolute.file_name().unwrap_or_default()))
            .unwrap_or_else(|_| PathBuf::from(absolute.file_name().unwrap_or_default()));
        let inside = self.tree.join(&relative);
        if inside.is_file() {
            Ok(inside)
        } else {
            Err(GitError::NoModelAtRevision { relative, revision: revision.to_owned() })
        }
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        // Unregister the worktree; the temporary folder itself goes with `_temp`.
        let tree = self.tree.to_string_lossy().into_owned();
        let _ = git(&self.repository, &["worktree", "remove", "--force", &tree]);
        let _ = git(&self.repository, &["worktree", "prune"]);
    }
}

/// Runs git in `dir`: `Err` when git cannot run at all, `Ok(Err(stderr))` when it fails.
fn git(dir: &Path, args: &[&str]) -> Result<Result<String, String>, GitError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Never wait for credentials on a terminal.
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| GitError::Unavailable { message: e.to_string() })?;
    if output.status.success() {
        Ok(Ok(String::from_utf8_lossy(&output.stdout).into_owned()))
    } else {
        Ok(Err(String::from_utf8_lossy(&output.stderr).trim().to_owned()))
    }
}
