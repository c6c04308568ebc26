//! `/pkg` is served the way a CDN would serve the widget to merchant pages on other
//! origins: CORS for everyone (no credentials), Cross-Origin-Resource-Policy, the right
//! content types, short public caching with validators, and gzip / brotli on request.

mod common;

use common::{fast_config, Sandbox};
use std::io::Read;

/// A pkg/ like scripts/build-widget.sh makes, with compressible contents.
fn pkg_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let js = "export function run(options) { return import('./epay_widget.js').then((m) => m.default(options)); }\n".repeat(40);
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(b"widget code ".as_slice(), 400).flatten());
    let files = WIDGET_FILES.map(|(name, ty)| (name, if ty == "application/wasm" { wasm.clone() } else { js.as_bytes().to_vec() }));
    for (name, bytes) in files.into_iter().chain([(
        "package.json",
        br#"{"name": "epay-widget", "version": "0.1.0", "files": ["epay-widget.js", "epay_widget_bg.wasm"]}"#.repeat(4).to_vec(),
    )]) {
        std::fs::write(dir.path().join(name), &bytes).expect("write");
        // A release's folder, as scripts/build-widget.sh lays it out: pkg/<version>/...
        std::fs::create_dir_all(dir.path().join("0.1.0/lang")).expect("mkdir");
        std::fs::write(dir.path().join("0.1.0").join(name), &bytes).expect("write");
    }
    std::fs::write(dir.path().join("0.1.0/lang/ru.json"), "{\"pay\": \"Оплатить\"}".repeat(20)).expect("write");
    dir
}

async fn sandbox(pkg: &tempfile::TempDir) -> Sandbox {
    let mut config = fast_config(":memory:");
    config.pkg = pkg.path().to_path_buf();
    Sandbox::start_with(config).await
}

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get(name).map(|v| v.to_str().expect("ascii header").to_string())
}

/// What any page on another origin needs of a widget file: its type, CORS without
/// credentials, and CORP for pages that set COEP.
fn assert_cross_origin_file(r: &reqwest::Response, file: &str, content_type: &str) {
    let ct = header(r, "content-type").unwrap_or_default();
    assert!(ct == content_type || ct.starts_with(&format!("{content_type};")), "{file}: content-type {ct:?}");
    assert_eq!(header(r, "access-control-allow-origin").as_deref(), Some("*"), "{file}");
    assert_eq!(header(r, "access-control-allow-credentials"), None, "{file}: no credentials");
    assert_eq!(header(r, "cross-origin-resource-policy").as_deref(), Some("cross-origin"), "{file}");
}

/// The loaders, the glue and the wasm of both modules, with the content type each is served with.
const WIDGET_FILES: [(&str, &str); 6] = [
    ("epay-widget.js", "text/javascript"),
    ("epay-widget.mjs", "text/javascript"),
    ("epay_widget.js", "text/javascript"),
    ("epay_widget_bg.wasm", "application/wasm"),
    ("epay_flows.js", "text/javascript"),
    ("epay_flows_bg.wasm", "application/wasm"),
];

fn all(r: &reqwest::Response, name: &str) -> String {
    r.headers().get_all(name).iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect::<Vec<_>>().join(", ")
}

#[tokio::test]
async fn pkg_files_carry_cors_corp_content_types_and_cache_headers() {
    let pkg = pkg_dir();
    let sb = sandbox(&pkg).await;
    for (file, content_type) in WIDGET_FILES.into_iter().chain([("package.json", "application/json")]) {
        let r = sb.http.get(sb.url(&format!("/pkg/{file}"))).send().await.expect("request");
        assert_eq!(r.status(), 200, "{file}");
        assert_cross_origin_file(&r, file, content_type);
        assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=300, must-revalidate"), "{file}");
        assert_eq!(header(&r, "x-content-type-options").as_deref(), Some("nosniff"), "{file}");
        assert!(header(&r, "etag").is_some(), "{file}: an ETag to revalidate with");
        assert!(header(&r, "last-modified").is_some(), "{file}: Last-Modified to revalidate with");
        assert!(all(&r, "vary").contains("accept-encoding"), "{file}: vary {:?}", all(&r, "vary"));
        assert_eq!(header(&r, "content-encoding"), None, "{file}: not compressed when not asked");
        let want = std::fs::read(pkg.path().join(file)).unwrap();
        assert_eq!(r.bytes().await.unwrap().as_ref(), want.as_slice(), "{file}");
    }
    // A missing file is a plain 404, not cached for five minutes.
    let r = sb.http.get(sb.url("/pkg/nope.js")).send().await.expect("request");
    assert_eq!(r.status(), 404);
    assert_ne!(header(&r, "cache-control").as_deref(), Some("public, max-age=300, must-revalidate"));
    sb.stop().await;
}

#[tokio::test]
async fn a_page_on_another_origin_may_load_the_wasm_and_the_glue() {
    let pkg = pkg_dir();
    let sb = sandbox(&pkg).await;
    for file in ["epay_widget_bg.wasm", "epay_widget.js", "epay-widget.js", "epay-widget.mjs"] {
        let r = sb
            .http
            .get(sb.url(&format!("/pkg/{file}")))
            .header("Origin", "http://127.0.0.1:9999")
            .header("Sec-Fetch-Mode", "cors")
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200, "{file}");
        assert_eq!(header(&r, "access-control-allow-origin").as_deref(), Some("*"), "{file}");
        assert_eq!(header(&r, "cross-origin-resource-policy").as_deref(), Some("cross-origin"), "{file}");
    }
    // A preflight (a page that adds headers to its fetch) is answered too.
    let r = sb
        .http
        .request(reqwest::Method::OPTIONS, sb.url("/pkg/epay_widget_bg.wasm"))
        .header("Origin", "http://127.0.0.1:9999")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .expect("preflight");
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(header(&r, "access-control-allow-origin").as_deref(), Some("*"));
    sb.stop().await;
}

#[tokio::test]
async fn revalidation_answers_304_by_etag_and_by_date() {
    let pkg = pkg_dir();
    let sb = sandbox(&pkg).await;
    let url = sb.url("/pkg/epay_widget_bg.wasm");
    let first = sb.http.get(&url).send().await.expect("request");
    let etag = header(&first, "etag").expect("etag");
    let modified = header(&first, "last-modified").expect("last-modified");
    let r = sb.http.get(&url).header("If-None-Match", &etag).send().await.expect("request");
    assert_eq!(r.status(), 304);
    assert_eq!(header(&r, "access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=300, must-revalidate"));
    let r = sb.http.get(&url).header("If-Modified-Since", &modified).send().await.expect("request");
    assert_eq!(r.status(), 304);
    let r = sb.http.get(&url).header("If-None-Match", "\"something-else\"").send().await.expect("request");
    assert_eq!(r.status(), 200);
    sb.stop().await;
}

#[tokio::test]
async fn gzip_and_brotli_are_negotiated_by_accept_encoding() {
    let pkg = pkg_dir();
    let sb = sandbox(&pkg).await;
    let plain = std::fs::read(pkg.path().join("epay_widget_bg.wasm")).unwrap();
    let identity = sb.http.get(sb.url("/pkg/epay_widget_bg.wasm")).send().await.expect("request");
    let strong = header(&identity, "etag").expect("etag");
    for (accept, encoding) in [("gzip", "gzip"), ("br", "br"), ("gzip, deflate, br", "br"), ("br;q=0.5, gzip", "gzip")] {
        let r = sb.http.get(sb.url("/pkg/epay_widget_bg.wasm")).header("Accept-Encoding", accept).send().await.expect("request");
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-encoding").as_deref(), Some(encoding), "Accept-Encoding: {accept}");
        assert!(all(&r, "vary").contains("accept-encoding"), "{accept}");
        assert_eq!(header(&r, "content-type").as_deref(), Some("application/wasm"));
        assert_eq!(header(&r, "access-control-allow-origin").as_deref(), Some("*"));
        assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=300, must-revalidate"));
        // A compressed body is another representation: its validator is weak, so a cache
        // never takes it for the identity bytes, and revalidation still matches.
        let etag = header(&r, "etag").expect("etag");
        assert_eq!(etag, format!("W/{strong}"), "{accept}");
        let body = r.bytes().await.unwrap();
        assert!(body.len() < plain.len() / 4, "{accept}: {} of {} bytes", body.len(), plain.len());
        let mut decoded = Vec::new();
        if encoding == "gzip" {
            flate2::read::GzDecoder::new(body.as_ref()).read_to_end(&mut decoded).unwrap();
        } else {
            brotli::Decompressor::new(body.as_ref(), 4096).read_to_end(&mut decoded).unwrap();
        }
        assert_eq!(decoded, plain, "{accept}");
        let again = sb
            .http
            .get(sb.url("/pkg/epay_widget_bg.wasm"))
            .header("Accept-Encoding", accept)
            .header("If-None-Match", &etag)
            .send()
            .await
            .expect("request");
        assert_eq!(again.status(), 304, "{accept}");
    }
    sb.stop().await;
}

#[tokio::test]
async fn a_release_folder_is_served_immutable_with_the_same_cors_types_and_compression() {
    let pkg = pkg_dir();
    let sb = sandbox(&pkg).await;
    for (file, content_type) in WIDGET_FILES.into_iter().chain([("lang/ru.json", "application/json")]) {
        let r = sb.http.get(sb.url(&format!("/pkg/0.1.0/{file}"))).header("Origin", "http://127.0.0.1:9999").send().await.expect("request");
        assert_eq!(r.status(), 200, "{file}");
        assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"), "{file}");
        assert_cross_origin_file(&r, file, content_type);
        assert_eq!(header(&r, "x-content-type-options").as_deref(), Some("nosniff"), "{file}");
        let want = std::fs::read(pkg.path().join("0.1.0").join(file)).unwrap();
        assert_eq!(r.bytes().await.unwrap().as_ref(), want.as_slice(), "{file}");
    }
    // Compressed the same way, still immutable; a 304 too.
    let r = sb.http.get(sb.url("/pkg/0.1.0/epay_widget_bg.wasm")).header("Accept-Encoding", "br").send().await.expect("request");
    assert_eq!(header(&r, "content-encoding").as_deref(), Some("br"));
    assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    let etag = header(&r, "etag").expect("etag");
    let r = sb
        .http
        .get(sb.url("/pkg/0.1.0/epay_widget_bg.wasm"))
        .header("Accept-Encoding", "br")
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 304);
    assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    // Latest stays short-lived; a missing versioned file is a plain 404, never cached for a year.
    let r = sb.http.get(sb.url("/pkg/epay-widget.js")).send().await.expect("request");
    assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=300, must-revalidate"));
    let r = sb.http.get(sb.url("/pkg/0.1.0/nope.js")).send().await.expect("request");
    assert_eq!(r.status(), 404);
    assert_ne!(header(&r, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Precompressed files (scripts/build-widget.sh writes <file>.br and <file>.gz)
// ---------------------------------------------------------------------------------------

/// Brotli at quality 1 with a small window, gzip with a name in its header: bytes that
/// on-the-fly compression (which names no file, at its own quality) would not produce, so a
/// body equal to them was read from the precompressed file.
fn precompress(file: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    use std::io::Write;
    let plain = std::fs::read(file).unwrap();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 1, 10);
        w.write_all(&plain).unwrap();
    }
    let mut gz = flate2::GzBuilder::new().filename("precompressed").write(Vec::new(), flate2::Compression::best());
    gz.write_all(&plain).unwrap();
    let gz = gz.finish().unwrap();
    let (mut br_path, mut gz_path) = (file.as_os_str().to_owned(), file.as_os_str().to_owned());
    br_path.push(".br");
    gz_path.push(".gz");
    std::fs::write(&br_path, &br).unwrap();
    std::fs::write(&gz_path, &gz).unwrap();
    (br, gz)
}

fn decode(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut out).map(drop).unwrap(),
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut out).map(drop).unwrap(),
        other => panic!("unexpected encoding {other}"),
    }
    out
}

#[tokio::test]
async fn precompressed_files_are_sent_as_they_are_by_accept_encoding_each_with_its_own_validator() {
    let pkg = pkg_dir();
    let wasm = pkg.path().join("epay_widget_bg.wasm");
    let plain = std::fs::read(&wasm).unwrap();
    let (br, gz) = precompress(&wasm);
    precompress(&pkg.path().join("0.1.0/epay_widget_bg.wasm"));
    let sb = sandbox(&pkg).await;
    let url = sb.url("/pkg/epay_widget_bg.wasm");

    let identity = sb.http.get(&url).send().await.expect("request");
    assert_eq!(header(&identity, "content-encoding"), None);
    assert_eq!(header(&identity, "content-length"), Some(plain.len().to_string()));
    let strong = header(&identity, "etag").expect("etag");
    assert!(!strong.starts_with("W/"), "identity: a strong ETag, {strong}");
    assert_eq!(identity.bytes().await.unwrap().as_ref(), plain.as_slice());

    let mut etags = vec![strong.clone()];
    for (accept, encoding, file) in
        [("br", "br", &br), ("gzip, deflate, br", "br", &br), ("gzip", "gzip", &gz), ("br;q=0.5, gzip", "gzip", &gz)]
    {
        let r = sb.http.get(&url).header("Accept-Encoding", accept).send().await.expect("request");
        assert_eq!(r.status(), 200, "{accept}");
        assert_eq!(header(&r, "content-encoding").as_deref(), Some(encoding), "{accept}");
        assert_eq!(header(&r, "content-length"), Some(file.len().to_string()), "{accept}: the precompressed file's length");
        assert_cross_origin_file(&r, "epay_widget_bg.wasm", "application/wasm");
        assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=300, must-revalidate"));
        assert!(all(&r, "vary").contains("accept-encoding"), "{accept}");
        let etag = header(&r, "etag").expect("etag");
        assert!(etag.starts_with("W/") && etag != format!("W/{strong}"), "{accept}: the weak ETag of the precompressed file, {etag}");
        let body = r.bytes().await.unwrap();
        assert_eq!(body.as_ref(), file.as_slice(), "{accept}: the precompressed bytes as they are");
        assert_eq!(decode(encoding, &body), plain, "{accept}: decodes to the file (what SRI hashes)");
        // Revalidation by the encoding's own ETag; another encoding's ETag is not a match.
        let again = sb.http.get(&url).header("Accept-Encoding", accept).header("If-None-Match", &etag).send().await.expect("request");
        assert_eq!(again.status(), 304, "{accept}");
        assert_eq!(header(&again, "etag").as_deref(), Some(etag.as_str()), "{accept}: the 304 names the form held");
        let other = if encoding == "br" { "gzip" } else { "br" };
        let r = sb.http.get(&url).header("Accept-Encoding", other).header("If-None-Match", &etag).send().await.expect("request");
        assert_eq!(r.status(), 200, "{other} with the {encoding} ETag");
        assert_eq!(header(&r, "content-encoding").as_deref(), Some(other));
        etags.push(etag);
    }
    etags.sort();
    etags.dedup();
    assert_eq!(etags.len(), 3, "identity, br and gzip: three validators {etags:?}");

    // HEAD: the headers of the GET, the compressed length, no body.
    let r = sb.http.head(&url).header("Accept-Encoding", "br").send().await.expect("request");
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-encoding").as_deref(), Some("br"));
    assert_eq!(header(&r, "content-length"), Some(br.len().to_string()));
    assert!(r.bytes().await.unwrap().is_empty());
    let r = sb.http.head(&url).send().await.expect("request");
    assert_eq!(header(&r, "content-encoding"), None);
    assert_eq!(header(&r, "content-length"), Some(plain.len().to_string()));

    // A single range: of the identity bytes, or of the precompressed bytes when compressed.
    let r = sb.http.get(&url).header("Range", "bytes=0-9").send().await.expect("request");
    assert_eq!(r.status(), 206);
    assert_eq!(header(&r, "content-encoding"), None);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &plain[..10]);
    let r = sb.http.get(&url).header("Range", "bytes=0-9").header("Accept-Encoding", "br").send().await.expect("request");
    assert_eq!(r.status(), 206);
    assert_eq!(header(&r, "content-encoding").as_deref(), Some("br"));
    assert_eq!(header(&r, "content-range"), Some(format!("bytes 0-9/{}", br.len())));
    assert_eq!(r.bytes().await.unwrap().as_ref(), &br[..10]);

    // A release's files too, still immutable.
    let r = sb.http.get(sb.url("/pkg/0.1.0/epay_widget_bg.wasm")).header("Accept-Encoding", "br").send().await.expect("request");
    assert_eq!(header(&r, "content-encoding").as_deref(), Some("br"));
    assert_eq!(header(&r, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), br.as_slice());
    sb.stop().await;
}

#[tokio::test]
async fn a_precompressed_file_older_than_its_file_is_not_sent_the_file_is_compressed_on_the_fly() {
    let pkg = pkg_dir();
    let glue = pkg.path().join("epay_widget.js");
    let (br, gz) = precompress(&glue);
    // The glue rebuilt after its .br and .gz: new contents, a later modification time.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for suffix in ["br", "gz"] {
        let f = std::fs::File::options().write(true).open(pkg.path().join(format!("epay_widget.js.{suffix}"))).unwrap();
        f.set_modified(old).unwrap();
    }
    let fresh = "export const rebuilt = 'after its .br and .gz';\n".repeat(60);
    std::fs::write(&glue, &fresh).unwrap();
    let sb = sandbox(&pkg).await;
    for (accept, encoding, stale) in [("br", "br", &br), ("gzip", "gzip", &gz), ("gzip, deflate, br", "br", &br)] {
        let r = sb.http.get(sb.url("/pkg/epay_widget.js")).header("Accept-Encoding", accept).send().await.expect("request");
        assert_eq!(r.status(), 200, "{accept}");
        assert_eq!(header(&r, "content-encoding").as_deref(), Some(encoding), "{accept}: still compressed");
        let body = r.bytes().await.unwrap();
        assert_ne!(body.as_ref(), stale.as_slice(), "{accept}: not the stale file");
        assert_eq!(decode(encoding, &body), fresh.as_bytes(), "{accept}: today's file, compressed on the fly");
    }
    let r = sb.http.get(sb.url("/pkg/epay_widget.js")).send().await.expect("request");
    assert_eq!(r.bytes().await.unwrap().as_ref(), fresh.as_bytes());
    sb.stop().await;
}
