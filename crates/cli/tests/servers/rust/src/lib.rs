//! What both test servers read from their environment.

/// The number in the environment variable `name` (PORT, SHAPE).
pub fn setting(name: &str) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} must be a number"))
}
