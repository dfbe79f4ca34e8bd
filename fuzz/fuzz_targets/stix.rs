//! Fuzz target `stix`: see `ttpc::fuzzing::stix`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::stix(data);
});
