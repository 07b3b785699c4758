//! The `kansli` binary: everything lives in the library; this only hands over.

/// Pages are built from many small strings; mimalloc serves them faster than
/// glibc's allocator (measured with tests/bench/run.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kansli::cli::main()
}
