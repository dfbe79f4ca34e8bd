//! ttpc — a threat-model-as-code compiler for MITRE ATT&CK.
//!
//! A team writes a YAML threat model naming the adversaries it cares about, its assets, where its
//! detection rules live and the coverage it promises. ttpc validates the model, resolves each
//! actor to the ATT&CK techniques it is known to use, maps detection rules onto them, computes
//! coverage and gaps, checks the promised targets and writes reports.
//!
//! The library follows the pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! model ──load/validate──> LoadedModel ──resolve(attack KB)──> Resolved
//! ```
//!
//! - [`model`]: the threat-model language, its JSON Schema and the loader with file:line:col
//!   diagnostics;
//! - [`attack`]: the ATT&CK knowledge base loaded from a STIX bundle;
//! - [`resolve`]: actor references → ATT&CK objects → technique profiles;
//! - [`diagnostics`] and [`error`]: the problem types every stage reports with, and exit codes.

pub mod analysis;
pub mod assessment;
pub mod attack;
pub mod cache;
pub mod check;
pub mod confine;
pub mod diagnostics;
pub mod emit;
pub mod emulation;
pub mod error;
pub mod fuzzing;
pub mod limits;
pub mod model;
pub mod resolve;
pub mod rules;

pub use error::{Error, Exit};
