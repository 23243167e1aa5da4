fn main() -> std::process::ExitCode { socksim::cli::main() }
