//! Fuzz target `rules_csv`: see `ttpc::fuzzing::rules_csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_csv(data);
});
