//! Fuzz target: see `driftmend_fuzz::audit`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = driftmend_fuzz::audit(data);
});
