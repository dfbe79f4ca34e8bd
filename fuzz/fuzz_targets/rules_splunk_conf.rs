//! Fuzz target `rules_splunk_conf`: see `ttpc::fuzzing::rules_splunk_conf`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_splunk_conf(data);
});
