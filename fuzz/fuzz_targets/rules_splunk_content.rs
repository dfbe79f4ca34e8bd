//! Fuzz target `rules_splunk_content`: see `ttpc::fuzzing::rules_splunk_content`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = ttpc::fuzzing::rules_splunk_content(data);
});
