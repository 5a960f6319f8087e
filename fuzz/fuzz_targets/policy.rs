//! Fuzz target: see `driftmend_fuzz::policy`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = driftmend_fuzz::policy(data);
});
