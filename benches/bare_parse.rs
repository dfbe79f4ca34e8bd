//! The yardstick of docs/performance.md as a program of its own: reads a file and parses it as
//! a `serde_json::Value`, nothing else, with the system allocator. `bench/ratio.sh` times it
//! beside `ttpc compile` in one hyperfine run.
//!
//! `cargo bench --bench bare_parse -- FILE` (without a file it says so and exits).

use std::process::ExitCode;

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; the file is the first other argument.
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("bare_parse: give a JSON file (bench/ratio.sh does)");
        return ExitCode::SUCCESS;
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("bare_parse: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(value) => {
            // Keep the parse from being optimised away, and drop it as a program would.
            let objects = value.get("objects").and_then(serde_json::Value::as_array).map_or(0, Vec::len);
            println!("{objects} objects");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bare_parse: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}
