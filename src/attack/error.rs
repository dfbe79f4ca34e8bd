//! Everything that can go wrong getting ATT&CK data, as diagnostics a user can act on.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// Why a JSON document is not an ATT&CK STIX bundle.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BundleProblem {
    /// The top-level `type` is not `bundle`.
    #[error("its top-level \"type\" is {found:?}, not \"bundle\"")]
    NotABundle {
        /// The type found.
        found: String,
    },
    /// The JSON does not have the shape of a STIX bundle.
    #[error("{message}")]
    Shape {
        /// serde's description of the mismatch.
        message: String,
    },
    /// No live `x-mitre-matrix` object.
    #[error("it holds no ATT&CK matrix (x-mitre-matrix) among its {objects} objects")]
    NoMatrix {
        /// Number of objects in the bundle.
        objects: usize,
    },
    /// The matrix names a domain ttpc does not know.
    #[error("its matrix belongs to the unknown domain {found:?}")]
    UnknownDomain {
        /// The domain found.
        found: String,
    },
    /// A STIX version other than 2.0 or 2.1.
    #[error("it declares STIX spec_version {found:?}; ttpc reads 2.0 and 2.1")]
    UnsupportedSpec {
        /// The version found.
        found: String,
    },
}

/// An error loading ATT&CK data.
#[derive(Debug, Error, Diagnostic)]
pub enum AttackError {
    /// The file named does not exist.
    #[error("ATT&CK data file {} does not exist", path.display())]
    #[diagnostic(
        code(ttpc::attack::not_found),
        help("check the path given to --attack-data or TTPC_ATTACK_DATA")
    )]
    NotFound {
        /// The path.
        path: PathBuf,
    },

    /// The file exists but cannot be read.
    #[error("cannot read ATT&CK data file {}", path.display())]
    #[diagnostic(code(ttpc::attack::unreadable))]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The file is larger than `--max-bundle-size`.
    #[error("ATT&CK data file {} is too large: {detail}", path.display())]
    #[diagnostic(
        code(ttpc::limits::bundle),
        help(
            "MITRE's enterprise bundle is about 45 MB; raise the limit with --max-bundle-size or TTPC_MAX_BUNDLE_SIZE if this file is real"
        )
    )]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size against the limit.
        detail: String,
    },

    /// The file is not JSON.
    #[error(transparent)]
    #[diagnostic(transparent)]
    NotJson(Box<JsonSyntax>),

    /// The file is JSON but not an ATT&CK STIX bundle.
    #[error("ATT&CK data file {} is JSON but not an ATT&CK STIX bundle: {problem}", path.display())]
    #[diagnostic(
        code(ttpc::attack::not_stix),
        help(
            "ttpc reads the enterprise-attack, ics-attack and mobile-attack bundles of \
             mitre-attack/attack-stix-data (STIX 2.1) or mitre/cti (STIX 2.0)"
        )
    )]
    NotStix {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        problem: BundleProblem,
    },

    /// No data was given and the cache holds none for the pinned version.
    #[error("no ATT&CK data for {domain} {version}")]
    #[diagnostic(code(ttpc::attack::no_data), help("{help}"))]
    NoData {
        /// The domain wanted.
        domain: String,
        /// The version wanted.
        version: String,
        /// How to get it.
        help: String,
    },

    /// The bundle is of another domain than the model pins.
    #[error("{} holds {found} data, but the model pins {expected}", path.display())]
    #[diagnostic(
        code(ttpc::attack::domain_mismatch),
        help("pass the {expected} bundle, or change attack.domain in the model")
    )]
    DomainMismatch {
        /// The path.
        path: PathBuf,
        /// The domain of the model.
        expected: String,
        /// The domain of the bundle.
        found: String,
    },

    /// The bundle declares (in its `x-mitre-collection`) another release than the model pins.
    #[error("the model pins ATT&CK {pinned}, but {} declares itself ATT&CK {found}", path.display())]
    #[diagnostic(
        code(ttpc::attack::version_mismatch),
        help(
            "pass the {pinned} bundle (`ttpc attack fetch --version {pinned}`), or move the model to {found} with `ttpc migrate MODEL --to {found}`"
        )
    )]
    VersionMismatch {
        /// The path.
        path: PathBuf,
        /// The release the model pins.
        pinned: String,
        /// The release the bundle declares.
        found: String,
    },
}

/// A JSON syntax error in an ATT&CK data file.
#[derive(Debug, Error, Diagnostic)]
#[error("ATT&CK data file {}:{line}:{column} is not valid JSON: {message}", path.display())]
#[diagnostic(
    code(ttpc::attack::not_json),
    help("a STIX bundle is one JSON document; was the download interrupted?")
)]
pub struct JsonSyntax {
    /// The path.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The parser's message.
    pub message: String,
    /// The file, when small enough to quote.
    #[source_code]
    pub src: Option<NamedSource<String>>,
    /// Where the parser stopped.
    #[label("here")]
    pub span: Option<SourceSpan>,
}
