//! The command line: `epay sign`, `epay verify`, `epay gate ...` (the merchant toolkit:
//! signed Gate requests), `epay sandbox`.
//!
//! Exit codes: 0 success, 1 the document is refused (not JSON, no signature, mismatch)
//! or the sandbox cannot start, 2 usage errors (clap's own convention).

use crate::sandbox::{self, Config};
use clap::{Parser, Subcommand};
use epay_core::callback::{one_json_value, parse_callback, CallbackError};
use epay_core::signature::{sign_checked, verify};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "epay", version, about = "Sign and verify ECommPay/JetPay parameters and callbacks; run the local sandbox platform")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a JSON object on stdin and print its signature (HMAC-SHA512, Base64), byte for
    /// byte the official SDKs'; warn on stderr when the platform would refuse the set.
    Sign {
        /// The project secret.
        #[arg(long)]
        secret: String,
    },
    /// Read exactly one signed JSON object on stdin (Payment Page parameters, a Gate request
    /// or a callback; `signature` at the root or in `general`), check its signature and say
    /// what it is: `valid callback: payment <id> <status>` or `valid parameters (not a
    /// callback: ...)`.
    Verify {
        /// The project secret.
        #[arg(long)]
        secret: String,
    },
    /// Run the sandbox platform on 127.0.0.1: the platform API, simulated partner pages,
    /// signed callbacks, and the demo merchant.
    Sandbox {
        /// Port to listen on; 0 picks a free one (the first stdout line tells which).
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// SQLite database file; `:memory:` keeps nothing after exit.
        #[arg(long, default_value = "epay-sandbox.sqlite")]
        db: String,
        /// Directory served at `/` (the demo merchant pages; must hold index.html)
        /// [default: `www` in the current directory, else in the repository the binary was
        /// built from, else next to the binary].
        #[arg(long, value_name = "DIR")]
        www: Option<PathBuf>,
        /// Directory served at `/pkg/` (the built widget, scripts/build-widget.sh; must hold
        /// epay-widget.js) [default: `pkg`, looked for like --www].
        #[arg(long, value_name = "DIR")]
        pkg: Option<PathBuf>,
        /// How many seconds an EPay cash code stays valid (its `valid_time`).
        #[arg(long, value_name = "SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
        epay_ttl: u64,
        /// Send a project's callbacks to the merchant's own back end instead of the demo shop:
        /// PROJECT_ID=URL (https, or plain http to loopback); repeatable. Applied at every
        /// start: a project not named here gets the demo shop's URL back.
        #[arg(long = "callback-url", value_name = "PROJECT_ID=URL", value_parser = crate::sandbox::platform::callbacks::parse_callback_url_arg)]
        callback_urls: Vec<(u64, String)>,
        /// Also answer requests for this host name (any port); repeatable. Loopback names
        /// (127.0.0.1, localhost, [::1]) are always answered, others get 403 (DNS rebinding).
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_host: Vec<String>,
        /// Delete checkout sessions unused for this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
        session_ttl: u64,
        #[command(flatten)]
        paydala: crate::sandbox::methods::paydala::PaydalaArgs,
    },
    /// Build signed Gate requests (card-partner sale and refund, EPay cash sale, status):
    /// print the JSON body, or POST it with --send and print the platform's answer.
    Gate {
        #[command(subcommand)]
        request: Box<crate::gate_cli::GateCommand>,
    },
    /// The sandbox's callbacks: list them with their delivery state, resend a delivered one
    /// (talks to the running sandbox over HTTP, --url).
    Callbacks {
        #[command(subcommand)]
        command: crate::callbacks_cli::CallbacksCommand,
    },
}

/// Entry point of the `epay` binary.
pub fn main() -> ExitCode {
    // `parse` prints usage errors and exits with 2 (0 for --help / --version).
    let cli = Cli::parse();
    match cli.command {
        Command::Sign { secret } => run_sign(&secret),
        Command::Verify { secret } => run_verify(&secret),
        Command::Sandbox { port, db, www, pkg, epay_ttl, callback_urls, allow_host, session_ttl, paydala } => run_sandbox(
            www,
            pkg,
            Config {
                port,
                db,
                epay_ttl: std::time::Duration::from_secs(epay_ttl),
                callback_urls,
                allow_hosts: allow_host,
                session_ttl: std::time::Duration::from_secs(session_ttl),
                paydala: paydala.into(),
                ..Config::default()
            },
        ),
        Command::Gate { request } => crate::gate_cli::run(*request),
        Command::Callbacks { command } => crate::callbacks_cli::run(command),
    }
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
    Ok(text)
}

fn fail(command: &str, message: &str) -> ExitCode {
    eprintln!("epay {command}: {message}");
    ExitCode::from(1)
}

fn run_sign(secret: &str) -> ExitCode {
    let text = match read_stdin() {
        Ok(t) => t,
        Err(e) => return fail("sign", &e),
    };
    let doc = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(doc) => doc,
        Err(e) => return fail("sign", &format!("stdin is not JSON: {e}")),
    };
    if !doc.is_object() {
        return fail("sign", "stdin must be a JSON object of parameters");
    }
    // Signs what the official SDKs sign, byte for byte; says on stderr when the platform
    // would refuse the set (issue 23), instead of refusing to sign it.
    let signed = sign_checked(&doc, secret);
    for w in &signed.warnings {
        eprintln!("epay sign: warning: {w} (code {}); the signature is printed anyway", w.code);
    }
    println!("{}", signed.signature);
    ExitCode::SUCCESS
}

fn run_verify(secret: &str) -> ExitCode {
    let text = match read_stdin() {
        Ok(t) => t,
        Err(e) => return fail("verify", &e),
    };
    // Exactly one JSON value: a receiver that stopped after the first one would act on a
    // body that its own JSON parser reads differently (issue 22).
    let doc = match one_json_value(&text) {
        Ok(doc) => doc,
        Err(CallbackError::NotJson(e)) => {
            return fail("verify", &format!("invalid: stdin is not JSON, or not exactly one JSON value ({e})"))
        }
        Err(e) => return fail("verify", &format!("invalid: {e}")),
    };
    if let Err(e) = verify(&doc, secret) {
        return fail("verify", &format!("invalid: {e}"));
    }
    // Told apart by structure: a signed parameter set (the order's Payment Page parameters,
    // a Gate request) is not a callback, and a receiver must not act on it as one.
    match parse_callback(&doc) {
        Ok(cb) => println!("valid callback: payment {} {}", cb.payment.id, cb.payment.status.as_str()),
        Err(CallbackError::NotACallback(why)) => println!("valid parameters (not a callback: {why})"),
        Err(e) => println!("valid parameters (not a callback: {e})"),
    }
    ExitCode::SUCCESS
}

fn run_sandbox(www: Option<PathBuf>, pkg: Option<PathBuf>, mut config: Config) -> ExitCode {
    // Refuse to start rather than serve nothing (a relative default from another directory).
    match sandbox::server::assets::resolve_dirs(www, pkg) {
        Ok((www, pkg)) => (config.www, config.pkg) = (www, pkg),
        Err(e) => return fail("sandbox", &e),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail("sandbox", &format!("cannot start the async runtime: {e}")),
    };
    let (www, pkg) = (config.www.clone(), config.pkg.clone());
    runtime.block_on(async move {
        let running = match sandbox::start(config).await {
            Ok(r) => r,
            Err(e) => return fail("sandbox", &e.to_string()),
        };
        let mut out = std::io::stdout();
        let _ = writeln!(out, "epay sandbox listening on {}", running.base_url());
        let _ = writeln!(out, "serving www: {}", www.display());
        let _ = writeln!(out, "serving pkg: {}", pkg.display());
        let _ = out.flush();
        wait_for_stop_signal().await;
        running.stop().await;
        ExitCode::SUCCESS
    })
}

/// Ctrl-C, or SIGTERM (what test harnesses and service managers send): stop gracefully.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => eprintln!("epay sandbox: cannot listen for SIGTERM ({e}); Ctrl-C still stops it"),
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("epay sandbox: cannot wait for Ctrl-C ({e}); stopping");
    }
}
