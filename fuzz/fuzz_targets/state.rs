//! Fuzz target: see `driftmend_fuzz::state`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = driftmend_fuzz::state(data);
});
