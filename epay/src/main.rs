fn main() -> std::process::ExitCode {
    epay::cli::main()
}
