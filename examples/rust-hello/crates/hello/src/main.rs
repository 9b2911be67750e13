//! rust-hello: greets, then reports what the image gives it (the account
//! it runs as, a CA bundle, a writable /tmp), so a test can check them.

use std::env;
use std::fs;

fn main() {
    println!("{}", greeting::greeting("rust-hello", 42));
    let home = env::var("HOME").unwrap_or_default();
    let uid = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .unwrap_or_default();
    let user = fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines()
                .find(|l| l.split(':').nth(2) == Some(uid.as_str()))
                .and_then(|l| l.split(':').next().map(str::to_string))
        })
        .unwrap_or_else(|| "unknown".into());
    let certs = fs::metadata("/etc/ssl/certs/ca-certificates.crt").is_ok_and(|m| m.len() > 0);
    let tmp = fs::write(env::temp_dir().join("rust-hello"), b"ok").is_ok();
    println!("user={user} home={home} certs={certs} tmp={tmp}");
}
