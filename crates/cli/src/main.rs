//! The `cors-doctor` binary: argument parsing and wiring only.
fn main() {}
