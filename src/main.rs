fn main() {
    std::process::exit(shipit::run());
}
