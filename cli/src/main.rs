fn main() -> std::process::ExitCode {
    epay_cli::cli::main()
}
