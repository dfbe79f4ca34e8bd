//! Fuzz target `model`: see `ttpc::fuzzing::model`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::model(data);
});
