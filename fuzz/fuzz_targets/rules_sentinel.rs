//! Fuzz target `rules_sentinel`: see `ttpc::fuzzing::rules_sentinel`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_sentinel(data);
});
