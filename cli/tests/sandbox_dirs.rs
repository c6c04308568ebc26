//! `epay sandbox` finds its pages wherever it is started (the current directory, the
//! repository it was built from, next to the binary), says at start which directories it
//! serves, and refuses to start, naming the flag and the paths tried, when it cannot.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn sandbox(cwd: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_epay"))
        .args(["sandbox", "--port", "0", "--db", ":memory:"])
        .args(extra)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("epay runs")
}

/// Waits for the child to exit on its own (killing it after `secs`): (exit code, stderr).
fn exit_of(mut child: Child, secs: u64) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (status.and_then(|s| s.code()), err)
}

/// The first three stdout lines of a sandbox that started: (url, the lines). Panics
/// (after killing it) when they do not come within 20 s.
fn started(child: &mut Child) -> (String, Vec<String>) {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines.len() < 3 {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => lines.push(line),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the sandbox did not print three lines: {lines:?}");
            }
        }
    }
    let url = lines[0].strip_prefix("epay sandbox listening on ").unwrap_or_else(|| panic!("{lines:?}")).to_string();
    (url, lines)
}

/// `GET path` over a plain socket: (status line, body).
fn get(url: &str, path: &str) -> (String, String) {
    let addr = url.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    (head.lines().next().unwrap_or_default().to_string(), body.to_string())
}

#[test]
fn explicit_paths_that_hold_no_pages_are_refused_by_flag_and_path() {
    let cwd = tempfile::tempdir().unwrap();
    let (www, pkg) = (cwd.path().join("no-www"), cwd.path().join("no-pkg"));
    let child = sandbox(cwd.path(), &["--www", www.to_str().unwrap(), "--pkg", pkg.to_str().unwrap()]);
    let (code, err) = exit_of(child, 10);
    assert_eq!(code, Some(1), "it must refuse to start: {err}");
    assert!(err.contains("--www") && err.contains(&www.join("index.html").display().to_string()), "{err}");
    assert!(err.contains("--pkg") && err.contains(&pkg.join("epay-widget.js").display().to_string()), "{err}");
    assert!(err.contains("scripts/build-widget.sh"), "{err}");
}

#[test]
fn defaults_are_found_from_another_directory_and_logged() {
    // Started in a directory with a pkg/ but no www/: pkg from here, www from the repository.
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir(cwd.path().join("pkg")).unwrap();
    std::fs::write(cwd.path().join("pkg").join("epay-widget.js"), "/* widget */").unwrap();
    let mut child = sandbox(cwd.path(), &[]);
    let (url, lines) = started(&mut child);
    let index = get(&url, "/");
    let widget = get(&url, "/pkg/epay-widget.js");
    let _ = child.kill();
    let _ = child.wait();
    let www = repo().join("www");
    let pkg = std::path::absolute(cwd.path().join("pkg")).unwrap();
    assert!(lines.contains(&format!("serving www: {}", www.display())), "{lines:?}");
    assert!(lines.contains(&format!("serving pkg: {}", pkg.display())), "{lines:?}");
    assert!(index.0.contains(" 200 "), "{index:?}");
    assert_eq!(index.1, std::fs::read_to_string(www.join("index.html")).unwrap());
    assert!(widget.0.contains(" 200 ") && widget.1 == "/* widget */", "{widget:?}");
}

#[test]
fn without_a_built_widget_anywhere_it_says_to_build_one() {
    let cwd = tempfile::tempdir().unwrap();
    let mut child = sandbox(cwd.path(), &[]);
    if repo().join("pkg").join("epay-widget.js").is_file() {
        // The repository's widget is built: found from here.
        let (_, lines) = started(&mut child);
        let _ = child.kill();
        let _ = child.wait();
        assert!(lines.contains(&format!("serving pkg: {}", repo().join("pkg").display())), "{lines:?}");
        return;
    }
    let (code, err) = exit_of(child, 10);
    assert_eq!(code, Some(1), "{err}");
    assert!(!err.contains("--www"), "www is found in the repository: {err}");
    let here = std::path::absolute(cwd.path()).unwrap().join("pkg").join("epay-widget.js");
    assert!(err.contains("--pkg"), "{err}");
    for tried in [here, repo().join("pkg").join("epay-widget.js")] {
        assert!(err.contains(&tried.display().to_string()), "{} not in {err}", tried.display());
    }
    assert!(err.contains("scripts/build-widget.sh"), "{err}");
}
