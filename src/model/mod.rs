//! The threat-model language and its loader.
//!
//! `language` defines the types (and through schemars the JSON Schema); `load` reads a model
//! file, validates it against the schema and reports every problem with its file, line and
//! column; `spans` maps JSON Pointers back to positions in the YAML text; `schema` turns schema
//! violations into diagnostics. The model is the strictest YAML input ttpc reads: unknown keys,
//! wrong types and duplicate keys are errors at their line.

mod language;
mod load;
mod schema;
pub use schema::standard_formats;
pub mod spans;

pub use language::*;
pub(crate) use load::tidy;
pub use load::{LoadedModel, ModelError, load, load_str};
pub use schema::{threat_model_schema, threat_model_schema_text};
