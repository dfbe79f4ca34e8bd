//! ttpc — a threat-model-as-code compiler for MITRE ATT&CK.
//!
//! A team writes a YAML threat model naming the adversaries it cares about, its assets, where its
//! detection rules live and the coverage it promises. ttpc validates the model, resolves each
//! actor to the ATT&CK techniques it is known to use, maps detection rules onto them, computes
//! coverage and gaps, checks the promised targets and writes reports.
//!
//! # The pipeline
//!
//! One module per stage, data flowing one way; a stage imports only the stages before it (a
//! test, `architecture`, keeps it so):
//!
//! ```text
//! model YAML ──model::load──> LoadedModel          (schema checked, file:line:col diagnostics)
//!   ──resolve(attack KB, rules, inputs)──> Resolved (actors → profiles, rule sources normalised)
//!   ──analysis::analyse──> Assessment              (coverage, gaps, priorities, plan, emulation)
//!   ──check::check(targets, baseline)──> Assessment + verdicts (+ Comparison)
//!   ──emit::render_all──> output files ──io::write_set──> the output folder, as one transaction
//! ```
//!
//! - Below every stage: [`diagnostics`] (problems with spans, notices), [`limits`] (resource
//!   limits), [`io`] (atomic writes, hashing), [`cache`] (every cache, on disk and in memory),
//!   [`timing`], [`yaml`] (the duplicate-key policy of every YAML input).
//! - [`attack`]: the ATT&CK knowledge base, where bundles come from, `ttpc.lock`;
//! - [`model`]: the threat-model language, its JSON Schema and the loader; [`confine`]: which
//!   paths a model may name;
//! - [`inputs`]: reading files — the walker, text, scalars, skips, atomics and results; [`git`]:
//!   a model's repository at another revision (`--baseline-ref`);
//! - [`rules`]: one adapter per rule format, normalisation of technique IDs; [`intel`]: the
//!   team's own intelligence (vendor STIX bundles, MISP galaxy names, annotated layers) read;
//! - [`resolve`]: a model bound to a knowledge base;
//! - [`assessment`]: the one output type; [`analysis`]: computes it; [`check`]: verdicts;
//! - [`emit`]: every output, pure functions of the assessment;
//! - [`pipeline`]: the jobs end to end ([`compile`]), [`locate`]: where their findings sit in the
//!   repository, and [`error`]: the error every job ends with and its exit code; [`migrate`]: a
//!   model moved to another ATT&CK release. [`fuzzing`] holds the fuzz targets' entry points.
//!
//! # Example
//!
//! ```
//! use ttpc::{Options, Request};
//!
//! # // The test fixtures stand in for a team's repository and the ATT&CK data cache.
//! # let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("a date");
//! let options = Options {
//!     attack_data: Some(repo.join("attack/mini-enterprise-2.1.json")),
//!     allow_outside: true,
//!     ..Options::default()
//! };
//! let mut request = Request::new(repo.join("compile/model.yaml"), as_of);
//! request.output = Some(std::env::temp_dir().join("ttpc-doc-example"));
//! let compiled = ttpc::compile(&request, &options, &ttpc::diagnostics::ignore)?;
//! let a = &compiled.assessment;
//! println!("{} of {} techniques covered", a.overall.covered, a.overall.techniques);
//! for verdict in a.verdicts.iter().filter(|v| !v.pass) {
//!     println!("failed: {} (expected {}, actual {})", verdict.target, verdict.expected, verdict.actual);
//! }
//! assert!(compiled.files > 0);
//! # Ok::<(), ttpc::Error>(())
//! ```

pub mod analysis;
pub mod assessment;
pub mod attack;
pub mod cache;
pub mod check;
pub mod confine;
pub mod diagnostics;
pub mod emit;
pub mod error;
pub mod fuzzing;
pub mod git;
pub mod inputs;
pub mod intel;
pub mod io;
pub mod limits;
pub mod locate;
pub mod migrate;
pub mod model;
pub mod pipeline;
pub mod resolve;
pub mod rules;
pub mod timing;
pub mod yaml;

pub use error::{Error, Exit};
pub use pipeline::{Compiled, Options, Request, Session, compile};
