//! The one binary: in a browser it is the page, in a terminal the headless runner.

#[cfg(target_arch = "wasm32")]
fn main() {
    socksim::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    socksim::cli::main()
}
