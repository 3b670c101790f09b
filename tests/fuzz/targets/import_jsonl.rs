//! Fuzz target: see `hookloupe_core::fuzzing::import_jsonl` for what it drives and checks.
fn main() {
    afl::fuzz!(|data: &[u8]| hookloupe_core::fuzzing::import_jsonl(data));
}
