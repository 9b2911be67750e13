// Planning and rendering allocate many small strings and maps; on a tree
// of thousands of manifests the system allocator is a fifth of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(shipit::run());
}
