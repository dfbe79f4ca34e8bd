//! Fuzz target `rules_sigma`: see `ttpc::fuzzing::rules_sigma`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_sigma(data);
});
