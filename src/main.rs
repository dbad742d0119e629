//! The `bantin` command: arguments, logging, and the dispatch to
//! [`cli`], where each command lives.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, LogFormat};

fn main() -> ExitCode {
    // First of all: a SIGHUP (`systemctl reload`) that comes while the
    // daemon starts must not end it; `serve` installs its reload handler
    // in its place. The other commands finish by themselves anyway.
    bantin::shutdown::ignore_hangup();
    bantin::ops::memory::tune_allocator();
    let cli = Cli::parse();
    // `poll` and `check` print their own report: only warnings go to the log.
    let quiet = !matches!(cli.command, Command::Serve);
    init_logging(cli.log_format, quiet);
    cli::run(cli)
}

fn init_logging(format: LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours only for a person at a terminal; journald (which sets
    // JOURNAL_STREAM) stamps every line itself, so a second timestamp
    // would only be noise there.
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text if std::env::var_os("JOURNAL_STREAM").is_some() => {
            builder.without_time().init()
        }
        LogFormat::Text => builder.init(),
    }
}
