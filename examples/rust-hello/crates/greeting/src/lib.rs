//! The greeting both binaries share: a workspace library with a
//! dependency from the crate registry.

pub fn greeting(name: &str, count: u64) -> String {
    let mut buffer = itoa::Buffer::new();
    format!("Hello from {name}! itoa({count})={}", buffer.format(count))
}
