//! Fuzz target `rules_elastic`: see `ttpc::fuzzing::rules_elastic`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_elastic(data);
});
