//! `epay callbacks list` and `epay callbacks resend ID`: the sandbox's callback tools from
//! the command line. They talk to the running sandbox over HTTP (`--url`, default
//! `http://127.0.0.1:8787`): `GET /sandbox/callbacks.json` and `POST
//! /sandbox/callbacks/{id}/resend`, so the database stays the sandbox's alone (no second
//! writer, no lock games). Exit codes: 0 done, 1 refused or the sandbox is unreachable.

use clap::Subcommand;
use serde_json::Value;
use std::process::ExitCode;
use std::time::Duration;

pub const DEFAULT_SANDBOX_URL: &str = "http://127.0.0.1:8787";

#[derive(Debug, Subcommand)]
pub enum CallbacksCommand {
    /// List every project's callbacks, newest first, with their delivery state.
    List {
        /// The running sandbox.
        #[arg(long, default_value = DEFAULT_SANDBOX_URL)]
        url: String,
        /// Print the sandbox's JSON (with each signed body) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Queue a delivered callback again: the identical signed body (same signature, same
    /// ids) to the payment's current callback URL. Prints the new callback's id.
    Resend {
        /// The callback's id (the first column of `epay callbacks list`).
        id: u64,
        /// The running sandbox.
        #[arg(long, default_value = DEFAULT_SANDBOX_URL)]
        url: String,
    },
}

fn fail(message: &str) -> ExitCode {
    eprintln!("epay callbacks: {message}");
    ExitCode::from(1)
}

/// One request to the sandbox: (status, body text).
fn request(method: reqwest::Method, url: &str) -> Result<(u16, String), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("async runtime: {e}"))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().map_err(|e| e.to_string())?;
        let r = client
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("cannot reach the sandbox at {url}: {e} (is `epay sandbox` running? --url names it)"))?;
        let status = r.status().as_u16();
        let text = r.text().await.map_err(|e| e.to_string())?;
        Ok((status, text))
    })
}

fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

/// The platform's error message in an answer, else the text.
fn message_of(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.pointer("/error/message").or_else(|| v.get("message")).and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| text.chars().take(300).collect())
}

pub fn run(command: CallbacksCommand) -> ExitCode {
    match command {
        CallbacksCommand::List { url, json } => list(&url, json),
        CallbacksCommand::Resend { id, url } => resend(&url, id),
    }
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn list(url: &str, json: bool) -> ExitCode {
    let (status, body) = match request(reqwest::Method::GET, &format!("{}/sandbox/callbacks.json", base(url))) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if status != 200 {
        return fail(&format!("the sandbox answered HTTP {status}: {}", message_of(&body)));
    }
    let Ok(Value::Array(rows)) = serde_json::from_str::<Value>(&body) else {
        return fail("the sandbox's answer is not a list of callbacks");
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    println!("{:<6} {:<8} {:<24} {:<18} {:<10} {:<9} {:<6} URL", "ID", "PROJECT", "PAYMENT", "OPERATION", "STATE", "ATTEMPTS", "LAST");
    for r in &rows {
        let operation = format!("{} {}", text(r, "operation_type"), text(r, "operation_status")).trim().to_string();
        let state = if r["delivered"] == true { "delivered" } else { "pending" };
        let last = text(r, "last_http_status");
        let resend = match text(r, "resend_of") {
            s if s.is_empty() => String::new(),
            s => format!(" (resend of {s})"),
        };
        println!(
            "{:<6} {:<8} {:<24} {:<18} {:<10} {:<9} {:<6} {}{resend}",
            text(r, "id"),
            text(r, "project_id"),
            text(r, "payment_id"),
            if operation.is_empty() { "-".to_string() } else { operation },
            state,
            text(r, "attempts"),
            if last.is_empty() { "-".to_string() } else { last },
            text(r, "url"),
        );
    }
    ExitCode::SUCCESS
}

fn resend(url: &str, id: u64) -> ExitCode {
    let (status, body) = match request(reqwest::Method::POST, &format!("{}/sandbox/callbacks/{id}/resend", base(url))) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if status != 201 {
        return fail(&format!("callback {id} not resent (HTTP {status}): {}", message_of(&body)));
    }
    let answer: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    println!("callback {id} queued again as callback {} to {}", text(&answer, "id"), text(&answer, "url"));
    ExitCode::SUCCESS
}
