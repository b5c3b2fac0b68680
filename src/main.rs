fn main() -> std::process::ExitCode {
    cargo_train::cli::main(std::env::args_os().collect())
}
