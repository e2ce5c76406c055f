//! The `contend` binary: parses arguments, dispatches, maps errors to exit
//! codes (0 ok, 1 a gate or check failed, 2 bad input or usage).

use clap::{Parser, Subcommand};

/// Load-test concurrency strategies side by side.
#[derive(Debug, Parser)]
#[command(name = "contend", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the strategies (with one line on each) and the overload policies.
    List,
}

fn main() {
    // clap exits with code 2 on bad usage, as the exit-code table asks.
    let cli = Cli::parse();
    match cli.command {
        Command::List => print!("{}", contend::list::render()),
    }
}
