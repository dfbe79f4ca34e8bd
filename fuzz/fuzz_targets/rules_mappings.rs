//! Fuzz target `rules_mappings`: see `ttpc::fuzzing::rules_mappings`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_mappings(data);
});
