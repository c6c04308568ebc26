//! The files the sandbox serves: the demo merchant pages (`www/`) and the built widget
//! (`pkg/`), found wherever `epay sandbox` is started, and `/pkg` served the way a CDN
//! serves the widget to merchant pages on other origins.
//!
//! `/pkg/*` answers carry:
//! - `Access-Control-Allow-Origin: *` (never credentials): a page on another origin
//!   `import()`s the glue and fetches the wasm in CORS mode; preflights get 204;
//! - `Cross-Origin-Resource-Policy: cross-origin`: pages with COEP `require-corp` may load it;
//! - `Content-Type` by extension (`application/wasm`, `text/javascript` for `.js`/`.mjs`,
//!   `application/json`, ...) and `X-Content-Type-Options: nosniff`;
//! - `/pkg/<version>/...` (a release, laid out by `scripts/build-widget.sh`; the version
//!   starts with a digit): `Cache-Control: public, max-age=31536000, immutable`
//!   ([`PKG_VERSIONED_CACHE_CONTROL`]): a release's files never change, and pages pin them
//!   with SRI hashes;
//! - the unversioned `/pkg/...` ("latest"): `Cache-Control: public, max-age=300,
//!   must-revalidate` ([`PKG_CACHE_CONTROL`]) with `ETag` and `Last-Modified`: a copy may be
//!   used for five minutes only, then revalidated (a 304 when unchanged);
//! - brotli or gzip by `Accept-Encoding` (q-values honoured; br before gzip at equal q, then
//!   identity), with `Vary: Accept-Encoding`. `scripts/build-widget.sh` writes `<file>.br`
//!   (quality 11) and `<file>.gz` (level 9) beside each file a browser fetches, and those are
//!   sent as they are, as a CDN sends them (`Content-Length` is the compressed file's; HEAD
//!   and a single `Range` apply to the compressed bytes). A precompressed file older than its
//!   file is stale and never sent: that answer, like one for a file with no precompressed
//!   sibling, is compressed on the fly (default quality) instead.
//! - ETags: the identity answer has the file's strong ETag; a compressed answer carries a weak
//!   one (`W/"..."`), another representation that must not claim byte-identity with the
//!   uncompressed file: precompressed, the weak form of the `.br`/`.gz` file's own ETag (so
//!   each encoding has its own validator); compressed on the fly, the weak form of the file's.
//!   `If-None-Match` compares weakly, so the form a client holds revalidates to a 304.
//!   SRI hashes (build-widget.sh) are over the identity bytes, which every encoding decodes to.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::path::{Path, PathBuf};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// How long a browser or CDN may use a `/pkg` file before revalidating it.
pub const PKG_CACHE_CONTROL: &str = "public, max-age=300, must-revalidate";

/// How long a file of a release (`/pkg/<version>/...`) may be used: a year, never revalidated.
pub const PKG_VERSIONED_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Whether a `/pkg` path (as the nested service sees it: `/0.1.0/epay-widget.js`) is in a
/// release's folder: its first segment is a version (a digit, then digits, letters, `.`, `-`, `+`).
fn is_versioned(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').splitn(2, '/');
    let (Some(first), Some(rest)) = (segments.next(), segments.next()) else { return false };
    !rest.is_empty()
        && first.starts_with(|c: char| c.is_ascii_digit())
        && first.contains('.')
        && first.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
}

/// `/pkg`: the widget files with CORS, CORP, content types, cache validators and compression
/// (precompressed files when fresh, else on the fly).
pub fn pkg_service(dir: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(middleware::from_fn_with_state(dir.to_path_buf(), fresh_precompressed_only))
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(middleware::from_fn(pkg_headers))
}

/// The precompressed siblings `ServeDir` may send: `(content-coding, file suffix)`.
const PRECOMPRESSED: [(&str, &str); 2] = [("br", "br"), ("gzip", "gz")];

/// Which precompressed siblings of the file at `path` (as the nested service sees it) are
/// stale: older than the file (a file rebuilt without its `.br`/`.gz`). A path that is not a
/// plain file name (percent-escapes, `..`) counts every sibling stale: never a guess.
fn stale_encodings(dir: &Path, path: &str) -> Vec<&'static str> {
    let rel = path.trim_start_matches('/');
    let plain = !rel.is_empty() && !rel.contains('%') && rel.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
    if !plain {
        return PRECOMPRESSED.iter().map(|(coding, _)| *coding).collect();
    }
    let file = dir.join(rel);
    let Ok(modified) = std::fs::metadata(&file).and_then(|m| m.modified()) else { return Vec::new() };
    PRECOMPRESSED
        .iter()
        .filter(|(_, suffix)| {
            let mut sibling = file.clone().into_os_string();
            sibling.push(".");
            sibling.push(suffix);
            std::fs::metadata(&sibling).and_then(|m| m.modified()).is_ok_and(|m| m < modified)
        })
        .map(|(coding, _)| *coding)
        .collect()
}

/// Between the compression layer and `ServeDir`: tells `ServeDir` not to send a stale
/// precompressed file (its coding at `q=0` in the `Accept-Encoding` it sees). The compression
/// layer, which saw the request's own header, then compresses the file on the fly.
async fn fresh_precompressed_only(State(dir): State<PathBuf>, mut req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        let stale = stale_encodings(&dir, req.uri().path());
        if !stale.is_empty() {
            let accept =
                req.headers().get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(", ");
            let kept = accept
                .split(',')
                .map(str::trim)
                .filter(|c| {
                    !c.is_empty() && !stale.iter().any(|s| c.split(';').next().is_some_and(|name| name.trim().eq_ignore_ascii_case(s)))
                })
                .chain(stale.iter().map(|s| if *s == "br" { "br;q=0" } else { "gzip;q=0" }))
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(value) = HeaderValue::from_str(&kept) {
                req.headers_mut().insert(header::ACCEPT_ENCODING, value);
            }
        }
    }
    next.run(req).await
}

/// The content type a CDN gives each kind of file the widget is built into.
fn content_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "ts" | "txt" | "md" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

fn set(headers: &mut HeaderMap, name: header::HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}

async fn pkg_headers(req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        // A preflight: any origin may GET, without credentials.
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NO_CONTENT;
        let h = res.headers_mut();
        set(h, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        set(h, header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD");
        set(h, header::ACCESS_CONTROL_ALLOW_HEADERS, "*");
        set(h, header::ACCESS_CONTROL_MAX_AGE, "86400");
        return res;
    }
    let content_type = content_type(req.uri().path());
    let versioned = is_versioned(req.uri().path());
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let mut res = next.run(req).await;
    let status = res.status();
    let h = res.headers_mut();
    set(h, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    set(h, header::HeaderName::from_static("cross-origin-resource-policy"), "cross-origin");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return res;
    }
    set(h, header::CACHE_CONTROL, if versioned { PKG_VERSIONED_CACHE_CONTROL } else { PKG_CACHE_CONTROL });
    if status != StatusCode::NOT_MODIFIED {
        if let Some(ct) = content_type {
            set(h, header::CONTENT_TYPE, ct);
        }
    }
    // Compressed: the weak form of the file's ETag. A 304 names the form the client holds.
    let weaken = h.contains_key(header::CONTENT_ENCODING)
        || (status == StatusCode::NOT_MODIFIED
            && h.get(header::ETAG).zip(if_none_match.as_ref()).is_some_and(|(etag, inm)| {
                let weak = format!("W/{}", etag.to_str().unwrap_or_default());
                inm.to_str().is_ok_and(|inm| inm.split(',').any(|t| t.trim() == weak))
            }));
    if weaken {
        if let Some(etag) = h.get(header::ETAG).and_then(|v| v.to_str().ok()).filter(|e| !e.starts_with("W/")) {
            if let Ok(weak) = HeaderValue::from_str(&format!("W/{etag}")) {
                h.insert(header::ETAG, weak);
            }
        }
    }
    let varies = h.get_all(header::VARY).iter().any(|v| v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    if !varies {
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

// ---------------------------------------------------------------------------------------
// Finding www/ and pkg/
// ---------------------------------------------------------------------------------------

/// Where a default directory (`www`, `pkg`) is looked for, in order: the current
/// directory, the repository this binary was built from, next to the binary.
pub fn candidates(default: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        out.push(cwd.join(default));
    }
    if let Some(repo) = Path::new(env!("CARGO_MANIFEST_DIR")).parent() {
        out.push(repo.join(default));
    }
    if let Some(dir) = std::env::current_exe().ok().as_deref().and_then(Path::parent) {
        out.push(dir.join(default));
    }
    let mut seen = Vec::new();
    out.retain(|p| {
        let fresh = !seen.contains(p);
        seen.push(p.clone());
        fresh
    });
    out
}

/// One served directory: its flag, the default name, the file that proves it is the right one.
struct Wanted {
    flag: &'static str,
    default: &'static str,
    marker: &'static str,
    what: &'static str,
    hint: &'static str,
}

const WWW: Wanted = Wanted {
    flag: "--www",
    default: "www",
    marker: "index.html",
    what: "the demo merchant pages",
    hint: "run epay sandbox from the repository, or pass --www DIR (the repository's www/)",
};
const PKG: Wanted = Wanted {
    flag: "--pkg",
    default: "pkg",
    marker: "epay-widget.js",
    what: "the built widget",
    hint: "build it with scripts/build-widget.sh, or pass --pkg DIR",
};

fn find(w: &Wanted, given: Option<PathBuf>) -> Result<PathBuf, String> {
    let tried = match given {
        Some(dir) => vec![dir],
        None => candidates(w.default),
    };
    match tried.iter().find(|dir| dir.join(w.marker).is_file()) {
        Some(dir) => Ok(std::path::absolute(dir).unwrap_or_else(|_| dir.clone())),
        None => {
            let list = tried.iter().map(|d| d.join(w.marker).display().to_string()).collect::<Vec<_>>().join(", ");
            Err(format!("{}: cannot find {} ({}): tried {list}; {}", w.flag, w.what, w.marker, w.hint))
        }
    }
}

/// The directories `epay sandbox` serves: the given ones, or the defaults found by
/// [`candidates`]. Each must hold its marker file (`www/index.html`, `pkg/epay-widget.js`);
/// the error names the flag and every path tried.
pub fn resolve_dirs(www: Option<PathBuf>, pkg: Option<PathBuf>) -> Result<(PathBuf, PathBuf), String> {
    match (find(&WWW, www), find(&PKG, pkg)) {
        (Ok(www), Ok(pkg)) => Ok((www, pkg)),
        (www, pkg) => Err([www.err(), pkg.err()].into_iter().flatten().collect::<Vec<_>>().join("\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_looked_for_here_then_in_the_repository_then_next_to_the_binary() {
        let c = candidates("www");
        assert_eq!(c[0], std::env::current_dir().unwrap().join("www"));
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("www");
        let exe = std::env::current_exe().unwrap().parent().unwrap().join("www");
        // The tests run in cli/: three distinct places, in that order.
        assert_eq!(c, vec![c[0].clone(), repo, exe]);
    }

    #[test]
    fn a_missing_directory_names_its_flag_and_what_was_tried() {
        let e = resolve_dirs(Some("/nonexistent/www".into()), Some("/nonexistent/pkg".into())).unwrap_err();
        assert!(e.contains("--www: cannot find the demo merchant pages (index.html): tried /nonexistent/www/index.html"), "{e}");
        assert!(e.contains("--pkg: cannot find the built widget (epay-widget.js): tried /nonexistent/pkg/epay-widget.js"), "{e}");
        assert!(e.contains("scripts/build-widget.sh"), "{e}");
    }

    #[test]
    fn a_release_folder_is_told_from_latest() {
        assert!(is_versioned("/0.1.0/epay-widget.js"));
        assert!(is_versioned("/1.2.3-beta.1/lang/ru.json"));
        assert!(!is_versioned("/epay-widget.js"));
        assert!(!is_versioned("/lang/ru.json"));
        assert!(!is_versioned("/0.1.0/"));
        assert!(!is_versioned("/0/epay-widget.js"));
    }

    #[test]
    fn a_precompressed_file_is_stale_when_older_than_its_file_or_when_the_path_is_not_plain() {
        let dir = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::write(dir.path().join("a.js"), "a").unwrap();
        std::fs::write(dir.path().join("a.js.gz"), "gz").unwrap();
        std::fs::write(dir.path().join("a.js.br"), "br").unwrap();
        std::fs::File::options().write(true).open(dir.path().join("a.js.br")).unwrap().set_modified(old).unwrap();
        assert_eq!(stale_encodings(dir.path(), "/a.js"), vec!["br"]);
        assert_eq!(stale_encodings(dir.path(), "/missing.js"), Vec::<&str>::new());
        for odd in ["/a%2ejs", "/../a.js", "/./a.js", "/x//a.js", "/"] {
            assert_eq!(stale_encodings(dir.path(), odd), vec!["br", "gzip"], "{odd}");
        }
    }

    #[test]
    fn content_types_are_a_cdns() {
        assert_eq!(content_type("/epay_widget_bg.wasm"), Some("application/wasm"));
        assert_eq!(content_type("/epay-widget.mjs"), Some("text/javascript; charset=utf-8"));
        assert_eq!(content_type("/epay-widget.JS"), Some("text/javascript; charset=utf-8"));
        assert_eq!(content_type("/package.json"), Some("application/json"));
        assert_eq!(content_type("/LICENSE"), None);
    }
}
