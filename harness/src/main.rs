//! The `contend` binary: everything is in the library's
//! [`contend::cli`], so that a user's own binary can be the same CLI with
//! their executors added (`contend::cli::main_with`).

fn main() -> std::process::ExitCode {
    contend::cli::main()
}
