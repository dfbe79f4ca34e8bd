//! Fuzz target `results`: see `ttpc::fuzzing::results`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::results(data);
});
