//! The `ttpc` binary: parse the command line, run one command, report errors, exit with the
//! documented code. Everything else lives in the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
