//! Fuzz target: see `driftmend_fuzz::expr`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = driftmend_fuzz::expr(data);
});
