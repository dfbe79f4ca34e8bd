//! Fuzz target `rules_navigator`: see `ttpc::fuzzing::rules_navigator`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_navigator(data);
});
