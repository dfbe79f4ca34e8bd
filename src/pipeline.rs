//! The jobs of the library, end to end: each owns the whole chain — limits and confinement,
//! where the ATT&CK data comes from (flag, cache, download) and the `ttpc.lock` policy,
//! resolution, analysis, checking (targets and the baseline) and rendering — so the command
//! line, the tests, the benchmarks and a batch of models all run the same code.
//!
//! ```text
//! Request ──load + confine──> LoadedModel ──ATT&CK data + lock──> (model, AttackData)
//!   ──resolve──> Resolved ──analyse──> Assessment ──check(targets, baseline)──> Assessment + verdicts
//!   ──render──> output files ──write (one transaction)──> Compiled
//! ```
//!
//! A [`Session`] holds what the models of one run share (ATT&CK releases, rule sources,
//! atomics: each loaded once); [`compile`] is the one-model shortcut.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::analysis;
use crate::assessment::{Assessment, Comparison};
use crate::attack::source::{AttackData, Origin, Pin};
use crate::attack::{AttackError, lock, store};
use crate::cache::Memo;
use crate::diagnostics::{Notice, Problems, Reporter, Warning};
use crate::emit::places::{Outcome, Places};
use crate::emit::{self, Template, Templates};
use crate::error::Error;
use crate::model::LoadedModel;
use crate::resolve::{self, Resolved, SharedInputs};

/// How a run finds its inputs; the same for every model of a batch.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// An ATT&CK bundle to use instead of the cache (`--attack-data`).
    pub attack_data: Option<PathBuf>,
    /// An Atomic Red Team `atomics` folder replacing the model's `validation.atomics`.
    pub atomics: Option<PathBuf>,
    /// Let models name files outside their repository (only for trusted models).
    pub allow_outside: bool,
    /// Download a model's pinned ATT&CK release when the cache lacks it.
    pub fetch: bool,
    /// Accept ATT&CK data whose sha256 differs from `ttpc.lock`, and record it.
    pub update_lock: bool,
    /// Read live rule sources from their last snapshots instead of their APIs (`--offline`).
    pub offline: bool,
}

/// One model to compile.
#[derive(Debug, Clone)]
pub struct Request {
    /// The model file.
    pub model: PathBuf,
    /// The date acceptances and emulation results are judged against.
    pub as_of: NaiveDate,
    /// The output folder (default: the model's `outputs.dir`, else `out/<model>` beside it).
    pub output: Option<PathBuf>,
    /// An earlier `assessment.json` to compare with.
    pub baseline: Option<PathBuf>,
    /// A git revision whose version of the model is compiled as the baseline (`--baseline-ref`);
    /// ignored when `baseline` is given.
    pub baseline_ref: Option<String>,
    /// A template replacing the built-in Markdown report (default: the model's).
    pub report_template: Option<PathBuf>,
    /// A template replacing the built-in HTML report (default: the model's).
    pub html_template: Option<PathBuf>,
}

impl Request {
    /// A request for a model with every default, as of `as_of`.
    pub fn new(model: impl Into<PathBuf>, as_of: NaiveDate) -> Request {
        Request {
            model: model.into(),
            as_of,
            output: None,
            baseline: None,
            baseline_ref: None,
            report_template: None,
            html_template: None,
        }
    }
}

/// A compiled model: the checked assessment, the comparison with its baseline, and where the
/// outputs went.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The assessment, verdicts included.
    pub assessment: Assessment,
    /// The comparison with the baseline, when one was given.
    pub comparison: Option<Comparison>,
    /// The output folder.
    pub dir: PathBuf,
    /// How many files were written there.
    pub files: usize,
    /// Where its findings sit in the repository (for SARIF, JUnit and workflow commands).
    pub places: Places,
}

impl Compiled {
    /// The compiled model as the CI formats ([`emit::sarif`], [`emit::junit`], [`emit::github`])
    /// read it.
    pub fn outcome(&self) -> Outcome<'_> {
        Outcome { assessment: &self.assessment, comparison: self.comparison.as_ref(), places: &self.places }
    }
}

/// Compiles one model (see [`Session::compile`]).
pub fn compile(request: &Request, options: &Options, reporter: Reporter<'_>) -> Result<Compiled, Error> {
    Session::new(options.clone(), reporter).compile(request)
}

/// A run: its options, what its models share, and where its notices go.
pub struct Session<'r> {
    options: Options,
    attack: Memo<Pin, AttackData>,
    inputs: SharedInputs,
    reporter: Reporter<'r>,
}

impl<'r> Session<'r> {
    /// A run with these options; notices go to `reporter`.
    pub fn new(options: Options, reporter: Reporter<'r>) -> Session<'r> {
        Session { options, attack: Memo::default(), inputs: SharedInputs::default(), reporter }
    }

    /// The run's options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Loads a model, refuses paths that leave its repository (unless allowed) and applies the
    /// `atomics` override.
    pub fn load_model(&self, path: &Path) -> Result<LoadedModel, Error> {
        let mut model = crate::model::load(path)?;
        if !self.options.allow_outside {
            let root = crate::confine::repository_root(path);
            let problems = crate::confine::check_model(&model, &root);
            if !problems.is_empty() {
                let title = format!(
                    "{} names files outside its repository ({} path{})",
                    model.source.name(),
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                return Err(Error::Invalid(Box::new(Problems::new(
                    "ttpc::confine::outside",
                    title,
                    &model.source,
                    problems,
                ))));
            }
        }
        if let Some(dir) = &self.options.atomics {
            // Absolute, because paths in a model are relative to the model file.
            let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
            model.model.validation.get_or_insert_with(Default::default).atomics =
                Some(dir.display().to_string());
        }
        Ok(model)
    }

    /// ATT&CK data for a pin, from `--attack-data` or the cache (loaded once per run).
    pub fn attack(&self, pin: &Pin) -> Result<AttackData, Error> {
        self.attack.get_or_try_insert(pin.clone(), || {
            let data = crate::attack::source::load(self.options.attack_data.as_deref(), pin)?;
            for w in &data.warnings {
                (self.reporter)(Notice::Warning(Warning {
                    code: "ttpc::attack::version_mismatch",
                    message: w.clone(),
                    help: None,
                }));
            }
            Ok::<_, Error>(data)
        })
    }

    /// The ATT&CK data a model pins: from `--attack-data`, the cache, or (with `fetch`) a
    /// download; then checked against the `ttpc.lock` beside the model, and recorded there when it
    /// came from the cache (or `update_lock` is set).
    pub fn model_attack(&self, model: &LoadedModel) -> Result<AttackData, Error> {
        let pin = pin_of(model);
        let lock_file = lock::lock_path(&model.path);
        let version = model.model.attack.version.as_str();
        let attack = match self.attack(&pin) {
            Err(Error::Attack(e)) if self.options.fetch && matches!(*e, AttackError::NoData { .. }) => {
                let root = store::root()?;
                let pinned =
                    lock::read(&lock_file)?.pinned(model.model.attack.domain, version).map(str::to_owned);
                let base =
                    std::env::var("TTPC_ATTACK_URL").unwrap_or_else(|_| store::OFFICIAL_BASE.to_owned());
                let fetched =
                    store::fetch(&root, &base, model.model.attack.domain, version, pinned.as_deref())?;
                (self.reporter)(Notice::Info(format!(
                    "fetched ATT&CK {} {} into {}",
                    fetched.domain,
                    fetched.version,
                    fetched.path.display()
                )));
                self.attack(&pin)?
            }
            Err(Error::Attack(e)) if matches!(*e, AttackError::NoData { .. }) => {
                return Err(self.not_cached(model, &pin, *e));
            }
            other => other?,
        };
        // A file named on the command line is checked against the lock but not recorded in it:
        // pinning is for the data a model normally gets (the cache), not for ad-hoc runs.
        let record = attack.origin == Origin::Cache || self.options.update_lock;
        let pinned = lock::read(&lock_file)?.pinned(attack.kb.domain(), version).is_some();
        if !record && !pinned {
            return Ok(attack);
        }
        let outcome = lock::check(
            &lock_file,
            &attack.path,
            attack.kb.domain(),
            version,
            &attack.sha256,
            self.options.update_lock,
        )?;
        let verb = match outcome {
            lock::LockOutcome::Matched => None,
            lock::LockOutcome::Recorded => Some("recorded"),
            lock::LockOutcome::Updated => Some("updated"),
        };
        if let Some(verb) = verb {
            (self.reporter)(Notice::Info(format!(
                "{verb} the sha256 of ATT&CK {} {version} in {}",
                attack.kb.domain(),
                lock_file.display()
            )));
        }
        self.note_newer_release(model, &attack);
        Ok(attack)
    }

    /// The model's pinned release is not in the cache: said at the model's `attack.version`
    /// line, with what the cache holds and the commands that get the release.
    fn not_cached(&self, model: &LoadedModel, pin: &Pin, error: AttackError) -> Error {
        let AttackError::NoData { help, .. } = &error else { return Error::Attack(Box::new(error)) };
        let domain = model.model.attack.domain;
        let version = &model.model.attack.version;
        let held = crate::attack::source::cache_root()
            .map(|root| crate::attack::source::cached_versions(&root, pin.domain_or_default()))
            .unwrap_or_default();
        let holds = if held.is_empty() {
            format!("the cache holds no {domain} release")
        } else {
            format!("the cache holds {domain} {}", held.join(", "))
        };
        let problem = crate::diagnostics::Problem::error(
            "ttpc::attack::not_cached",
            format!("ATT&CK {domain} {version} is not in the cache ({holds})"),
            model.span("/attack/version"),
        )
        .label("pinned here")
        .help(format!(
            "get it with `ttpc attack fetch --domain {domain} --version {version}` (or `ttpc compile --fetch`), or on a host without internet `ttpc attack import FILE`; or pass --attack-data FILE\n{help}"
        ));
        Error::Invalid(Box::new(Problems::new(
            "ttpc::attack::no_data",
            format!("no ATT&CK data for {}", model.source.name()),
            &model.source,
            vec![problem],
        )))
    }

    /// A one-line note when the cache holds a newer release of the model's domain than the model
    /// pins (data from the cache only: a file named with `--attack-data` was chosen on purpose).
    fn note_newer_release(&self, model: &LoadedModel, attack: &AttackData) {
        if attack.origin != Origin::Cache {
            return;
        }
        let Some(root) = crate::attack::source::cache_root() else { return };
        let pinned = model.model.attack.version.as_str();
        let Some(newest) = crate::attack::source::cached_versions(&root, model.model.attack.domain).pop()
        else {
            return;
        };
        let key = crate::attack::source::version_key;
        if key(&newest) > key(pinned) {
            (self.reporter)(Notice::Info(format!(
                "note: ATT&CK {newest} is in the cache (this model pins {pinned}): `ttpc migrate {} --to {newest}` moves it",
                model.path.display()
            )));
        }
    }

    /// `ttpc check`: a model loaded, confined and resolved against its ATT&CK data (its
    /// warnings reported).
    pub fn resolve(&self, path: &Path) -> Result<Resolved, Error> {
        self.resolve_to(path, None)
    }

    /// [`Session::resolve`] for outputs going to `output` (where live sources keep their
    /// snapshots by default).
    fn resolve_to(&self, path: &Path, output: Option<PathBuf>) -> Result<Resolved, Error> {
        let t = std::time::Instant::now();
        let model = self.load_model(path)?;
        crate::timing::phase("load model", t);
        let t = std::time::Instant::now();
        // The ATT&CK data and the model's rule files are independent until rules are mapped
        // onto techniques: read them side by side.
        let (attack, ()) = rayon::join(|| self.model_attack(&model), || self.inputs.preload(&model));
        let attack = attack?;
        crate::timing::phase("ATT&CK data, and rule files read alongside", t);
        let t = std::time::Instant::now();
        let live =
            resolve::LiveContext { offline: self.options.offline, output_dir: output_dir(&model, output) };
        let resolved = resolve::resolve_in(model, attack, &self.inputs, &live).map_err(Error::Invalid)?;
        crate::timing::phase("resolve (actors, rules, atomics)", t);
        if !resolved.warnings.is_empty() {
            (self.reporter)(Notice::InFile {
                file: resolved.model.source.clone(),
                problems: resolved.warnings.clone(),
            });
        }
        Ok(resolved)
    }

    /// A model resolved, analysed and checked against its own targets (no baseline, nothing
    /// written): what `ttpc emulate` plans from.
    pub fn assess(&self, path: &Path, as_of: NaiveDate) -> Result<(Resolved, Assessment), Error> {
        let resolved = self.resolve(path)?;
        let t = std::time::Instant::now();
        let mut assessment = analysis::analyse(&resolved, &analysis::Options { as_of });
        crate::check::check(&mut assessment, None);
        crate::timing::phase("analyse and check", t);
        Ok((resolved, assessment))
    }

    /// `ttpc compile`: a model resolved, analysed, checked (targets, and the baseline when
    /// given), rendered and written to its output folder as one transaction.
    pub fn compile(&self, request: &Request) -> Result<Compiled, Error> {
        let resolved = self.resolve_to(&request.model, request.output.clone())?;
        let t = std::time::Instant::now();
        let mut assessment = analysis::analyse(&resolved, &analysis::Options { as_of: request.as_of });
        crate::timing::phase("analyse", t);
        let baseline = match (&request.baseline, &request.baseline_ref) {
            (Some(path), _) => {
                Some(crate::check::baseline::read(path).map_err(|e| Error::Baseline(Box::new(e)))?)
            }
            (None, Some(revision)) => Some(self.assess_at(&request.model, revision, request.as_of)?),
            (None, None) => None,
        };
        let comparison = crate::check::check(&mut assessment, baseline.as_ref());

        let m = &resolved.model;
        let template = |given: &Option<PathBuf>, in_model: Option<&str>| -> Result<Option<Template>, Error> {
            let path = given.clone().or_else(|| in_model.map(|t| m.resolve_path(t)));
            Ok(path.map(|p| Template::read(&p)).transpose()?)
        };
        let templates = Templates {
            report: template(&request.report_template, m.model.outputs.report.template.as_deref())?,
            html: template(&request.html_template, m.model.outputs.report.html_template.as_deref())?,
        };
        emit::emulation::check_guids(&assessment)?;
        let t = std::time::Instant::now();
        let mut files = emit::render_all(&assessment, comparison.as_ref(), &templates)?;
        files.extend(snapshot_files(&resolved));
        crate::timing::phase("render outputs", t);
        let dir = output_dir(m, request.output.clone());
        let t = std::time::Instant::now();
        crate::io::write_set(&dir, &files)?;
        crate::timing::phase("write outputs", t);
        let places = crate::locate::places(m, &assessment, &resolved.warnings, request.as_of);
        Ok(Compiled { assessment, comparison, dir, files: files.len(), places })
    }

    /// The model at `path` as it was at a git revision — its rule sources, `ttpc.lock` and
    /// everything else it names taken from that revision too — resolved, analysed and checked
    /// against its own targets (nothing written): the baseline of `--baseline-ref`.
    pub fn assess_at(&self, path: &Path, revision: &str, as_of: NaiveDate) -> Result<Assessment, Error> {
        let t = std::time::Instant::now();
        let checkout = crate::git::Checkout::of_model(path, revision)?;
        let model = checkout.path_of(path, revision)?;
        (self.reporter)(Notice::Info(format!(
            "baseline: {} at {revision} ({})",
            path.display(),
            &checkout.commit()[..checkout.commit().len().min(12)]
        )));
        crate::timing::phase("check out the baseline revision", t);
        let (_, assessment) = self.assess(&model, as_of)?;
        Ok(assessment)
    }
}

impl Session<'_> {
    /// Compiles many models, each as [`Session::compile`] does, with bounded parallelism: one
    /// worker per thread of the pool takes the next model, compiles it and hands the result to
    /// `keep` on that thread, which keeps what the caller needs (a summary) and lets the
    /// assessment go; `done` then gets each kept value on the calling thread, in the order of
    /// `requests`. So memory holds a few assessments at a time, whatever the number of models,
    /// and the output stays in order.
    pub fn compile_each<T: Send>(
        &self,
        requests: &[Request],
        keep: impl Fn(&Request, Result<Compiled, Error>) -> T + Sync,
        mut done: impl FnMut(usize, T),
    ) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let workers = rayon::current_num_threads().clamp(1, requests.len().max(1));
        // A bounded queue: workers wait when the caller falls behind.
        let (sender, receiver) = std::sync::mpsc::sync_channel::<(usize, T)>(workers * 4);
        rayon::in_place_scope(|scope| {
            for _ in 0..workers {
                let sender = sender.clone();
                let (next, keep) = (&next, &keep);
                scope.spawn(move |_| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(request) = requests.get(i) else { break };
                        let kept = keep(request, self.compile(request));
                        if sender.send((i, kept)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(sender);
            // Models finish out of order; each waits here until those before it are done.
            let mut waiting = std::collections::BTreeMap::new();
            let mut expected = 0;
            for (i, kept) in receiver {
                waiting.insert(i, kept);
                while let Some(kept) = waiting.remove(&expected) {
                    done(expected, kept);
                    expected += 1;
                }
            }
        });
    }
}

/// Writes the fleet overview of a batch (`fleet.json`, `fleet.csv`, `fleet.html`) into `dir`
/// as one transaction, each model's report linked relative to it; returns the files written.
pub fn write_fleet(dir: &Path, mut fleet: crate::assessment::fleet::Fleet) -> Result<usize, Error> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let from = absolute(dir);
    for m in &mut fleet.models {
        if let Some(output) = &m.output {
            m.report = Some(emit::fleet::link(&from, &absolute(Path::new(output)).join("report.html")));
        }
    }
    let names = [Path::new("fleet.csv"), Path::new("fleet.html"), Path::new("fleet.json")];
    // Written one file at a time: for thousands of models, holding all three at once cost more
    // memory than the rest of the batch (issue 22).
    let mut set = crate::io::OutputSet::begin(dir, &names)?;
    emit::fleet::each_file(fleet, |file| set.add(&file).map_err(Error::from))?;
    set.commit()?;
    Ok(names.len())
}

/// The ATT&CK data a model pins.
pub fn pin_of(model: &LoadedModel) -> Pin {
    Pin { domain: Some(model.model.attack.domain), version: Some(model.model.attack.version.clone()) }
}

/// Where a model's outputs go: the given folder, else the model's `outputs.dir`, else
/// `out/<model file name>` beside the model.
fn output_dir(m: &LoadedModel, given: Option<PathBuf>) -> PathBuf {
    resolve::live::output_dir(m, given)
}

/// The snapshots of live sources kept in the output folder: written with the other outputs (a
/// snapshot read with `--offline` is written back, so the folder keeps it).
fn snapshot_files(resolved: &Resolved) -> Vec<crate::io::OutputFile> {
    resolved
        .sources
        .iter()
        .filter_map(|s| s.live.as_deref())
        .filter_map(|origin| match &origin.place {
            resolve::live::SnapshotPlace::Outputs(relative) => {
                Some(crate::io::OutputFile::new(relative.clone(), origin.snapshot.to_text()))
            }
            resolve::live::SnapshotPlace::File(_) => None,
        })
        .collect()
}
