//! Fuzz target `atomics`: see `ttpc::fuzzing::atomics`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::atomics(data);
});
