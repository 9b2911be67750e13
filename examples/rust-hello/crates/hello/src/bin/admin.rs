//! A second binary in the package: `rust.bin` chooses which one ships.

fn main() {
    println!("{}", greeting::greeting("admin", 7));
}
