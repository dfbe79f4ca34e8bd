//! Adversary-emulation inputs: the Atomic Red Team test library (`atomics/T*/T*.yaml`) and the
//! results of running it (a CSV of which tests were detected).
//!
//! Both are read here and only here; planning the exercise and judging the results against
//! coverage is analysis (`crate::analysis::emulation`), writing the plan and scripts is emitting.

pub mod atomics;
pub mod results;

pub use atomics::{AtomicTechnique, AtomicTest, AtomicsReport, load_atomics};
pub use results::{Detected, EmulationResult, ResultsError, ResultsFile, load_results};

/// The Atomic Red Team platform names (`supported_platforms`) an ATT&CK platform stands for.
pub fn atomic_platforms(attack_platform: &str) -> &'static [&'static str] {
    match attack_platform.to_ascii_lowercase().as_str() {
        "windows" => &["windows"],
        "linux" => &["linux"],
        "macos" => &["macos"],
        "iaas" => &["iaas", "iaas:aws", "iaas:azure", "iaas:gcp"],
        "identity provider" => &["azure-ad"],
        "office suite" | "office 365" => &["office-365"],
        "saas" => &["google-workspace", "office-365"],
        "containers" => &["containers"],
        "esxi" => &["esxi"],
        _ => &[],
    }
}
