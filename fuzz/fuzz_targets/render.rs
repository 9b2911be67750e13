//! Arbitrary bytes through the whole path: parse → resolve → render, with
//! the invariants of `shipit::fuzzing::render_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| shipit::fuzzing::render_bytes(data));
