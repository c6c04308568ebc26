//! No import circles in any crate of the workspace (issue #27, item 3).
//!
//! Reads every `.rs` file under `src/` (the widget), `core/src`, `cli/src`, `node/src` and
//! `drawings/src` (the workspace members), builds each crate's module graph and fails on every strongly connected
//! component of more than one module, naming its modules and the references that close it.
//!
//! The rule, kept simple on purpose:
//! - A module is a file (`lib.rs` is the crate root, `a/mod.rs` and `a.rs` are `a`,
//!   `a/b.rs` is `a::b`). Inline modules (`mod tests { .. }`) belong to their file, but
//!   `super::`/`self::` inside them are resolved from where they stand.
//! - An edge A -> B is a path in A that names something in B: a `use` (every leaf of its
//!   tree), or a path in code that starts with `crate::`, `self::`, `super::`, a child
//!   module of A, or a name A imported with `use` (`store::open` after
//!   `use platform::store`). Paths resolve to the longest existing module.
//! - When that module is reached only as the way to one of its items (`interop::JsWire`),
//!   and it imports that item (`use`, `pub use`, or a glob `pub use wire::*` whose target
//!   defines the name), the edge goes to the module that really holds the item; a
//!   re-export in a parent is no back door. A name that cannot be resolved stays an edge
//!   to the module named.
//! - `mod x;` itself is not an edge (a parent declaring its child is no import), and no
//!   other child -> ancestor edge is ignored: `use super::X` in a file counts.
//! - Paths into other crates (`epay_core::`, `std::`) are not edges: Cargo forbids circles
//!   between crates.
//!
//! `EPAY_IMPORT_ROOT=/path/to/checkout` checks another checkout (e.g. the main branch).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The crates read: the widget (`src`) and every workspace member of the root `Cargo.toml`
/// (`members = [...]`), so a crate added or renamed is read without a change here.
fn crates(root: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("the root Cargo.toml");
    let line = manifest.lines().find(|l| l.trim_start().starts_with("members")).expect("Cargo.toml: workspace members");
    let mut dirs = vec!["src".to_string()];
    dirs.extend(line.split('"').skip(1).step_by(2).map(|m| format!("{m}/src")));
    dirs
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Colon2,
    Punct(char),
}

fn lex(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let n = c.len();
    let at = |i: usize| if i < n { c[i] } else { '\0' };
    while i < n {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < n && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < n {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i += 1;
            while i < n && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                if at(i) == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 1;
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                i += 2;
                while i < n && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                // a lifetime
                i += 1;
                while i < n && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_ascii_digit() {
            while i < n && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < n && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let raw_string = matches!(word.as_str(), "r" | "br") && (at(i) == '"' || at(i) == '#');
            if raw_string {
                let mut hashes = 0;
                let mut j = i;
                while at(j) == '#' {
                    hashes += 1;
                    j += 1;
                }
                if at(j) == '"' {
                    // raw string: up to `"` and as many `#`
                    j += 1;
                    loop {
                        if j >= n {
                            break;
                        }
                        if c[j] == '"' && (0..hashes).all(|k| at(j + 1 + k) == '#') {
                            j += 1 + hashes;
                            break;
                        }
                        if c[j] == '\n' {
                            line += 1;
                        }
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                if word == "r" && hashes == 1 {
                    // raw identifier r#name
                    let s = j;
                    while j < n && (c[j].is_alphanumeric() || c[j] == '_') {
                        j += 1;
                    }
                    out.push((Tok::Ident(c[s..j].iter().collect()), line));
                    i = j;
                    continue;
                }
            }
            if word == "b" && (at(i) == '"' || at(i) == '\'') {
                continue; // the literal is skipped by the next round
            }
            out.push((Tok::Ident(word), line));
        } else if ch == ':' && at(i + 1) == ':' {
            out.push((Tok::Colon2, line));
            i += 2;
        } else if ch == '$' && c[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
            i += 1; // `$crate` is `crate`
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// One file's facts.
#[derive(Default)]
struct FileFacts {
    /// (absolute path named, line, how it was written)
    refs: Vec<(Vec<String>, usize, String)>,
    /// Top-level imports: name -> absolute path (for resolution through this module).
    imports: HashMap<String, Vec<String>>,
    /// Top-level glob imports: absolute module paths.
    globs: Vec<Vec<String>>,
    /// Names of items defined at top level.
    defines: BTreeSet<String>,
}

struct Crate {
    label: String,
    /// module path -> file (relative to the checkout)
    files: BTreeMap<Vec<String>, PathBuf>,
    facts: BTreeMap<Vec<String>, FileFacts>,
}

fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    match last.as_str() {
        "lib.rs" | "main.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_string()),
    }
    parts
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Parses a `use` tree starting at `toks[i]` (after `use`) up to `;`. Returns the leaves:
/// (segments, alias or last segment) with `*` as a glob leaf.
fn use_tree(toks: &[(Tok, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    let mut path = prefix;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Ident(w)) if w == "as" => {
                *i += 1;
                if let Some((Tok::Ident(alias), _)) = toks.get(*i) {
                    *i += 1;
                    let alias = alias.clone();
                    if path.last().is_some_and(|l| l == "self") {
                        path.pop();
                    }
                    out.push((path, alias));
                    return;
                }
            }
            Some(Tok::Ident(w)) => {
                path.push(w.clone());
                *i += 1;
            }
            Some(Tok::Colon2) => *i += 1,
            Some(Tok::Punct('*')) => {
                *i += 1;
                path.push("*".into());
                out.push((path, "*".into()));
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        Some(Tok::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *i += 1,
                        None => return,
                        _ => use_tree(toks, i, path.clone(), out),
                    }
                }
            }
            _ => {
                if path.last().is_some_and(|l| l == "self") {
                    path.pop();
                }
                if let Some(last) = path.last().cloned() {
                    out.push((path, last));
                }
                return;
            }
        }
    }
}

const ITEM_KEYWORDS: [&str; 9] = ["fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod"];

fn read_crate(root: &Path, dir: &str) -> Crate {
    let base = root.join(dir);
    let mut paths = Vec::new();
    rs_files(&base, &mut paths);
    let has_lib = base.join("lib.rs").exists();
    let mut files = BTreeMap::new();
    let mut texts = BTreeMap::new();
    for p in paths {
        let rel = p.strip_prefix(&base).unwrap();
        if has_lib && rel == Path::new("main.rs") {
            continue; // the binary: a crate of its own over the library
        }
        let m = module_path(rel);
        texts.insert(m.clone(), std::fs::read_to_string(&p).unwrap());
        files.insert(m, p.strip_prefix(root).unwrap().to_path_buf());
    }
    let mut facts = BTreeMap::new();
    for (m, text) in &texts {
        facts.insert(m.clone(), file_facts(m, text, &files));
    }
    Crate { label: dir.to_string(), files, facts }
}

fn file_facts(m: &[String], text: &str, files: &BTreeMap<Vec<String>, PathBuf>) -> FileFacts {
    let toks = lex(text);
    let mut f = FileFacts::default();
    // Inline module scopes: (name, brace depth inside it).
    let mut scopes: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let here = |scopes: &[(String, usize)]| -> Vec<String> {
        let mut p = m.to_vec();
        p.extend(scopes.iter().map(|s| s.0.clone()));
        p
    };
    // First pass: the names imported anywhere in the file (aliases for code paths).
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    let mut i = 0;
    while i < toks.len() {
        let tok = &toks[i].0;
        let line = toks[i].1;
        let top = depth == scopes.last().map_or(0, |s| s.1);
        match tok {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                if scopes.last().is_some_and(|s| s.1 == depth) {
                    scopes.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) = (toks.get(i + 1), toks.get(i + 2)) {
                    if top && scopes.is_empty() {
                        f.defines.insert(name.clone());
                    }
                    depth += 1;
                    scopes.push((name.clone(), depth));
                    i += 3;
                } else {
                    if let Some((Tok::Ident(name), _)) = toks.get(i + 1) {
                        if top && scopes.is_empty() {
                            f.defines.insert(name.clone());
                        }
                    }
                    i += 2;
                }
            }
            Tok::Ident(w) if w == "use" => {
                i += 1;
                let mut leaves = Vec::new();
                use_tree(&toks, &mut i, Vec::new(), &mut leaves);
                let cur = here(&scopes);
                for (segs, alias) in leaves {
                    let Some(abs) = absolute(&segs, &cur, m, files, &aliases) else { continue };
                    let written = segs.join("::");
                    if alias == "*" {
                        let mut module = abs.clone();
                        module.pop();
                        if top && scopes.is_empty() {
                            f.globs.push(module.clone());
                        }
                        f.refs.push((module, line, format!("use {written}")));
                    } else {
                        if top && scopes.is_empty() {
                            f.imports.insert(alias.clone(), abs.clone());
                        }
                        aliases.insert(alias, abs.clone());
                        f.refs.push((abs, line, format!("use {written}")));
                    }
                }
            }
            Tok::Ident(w) if ITEM_KEYWORDS.contains(&w.as_str()) || w == "macro_rules" => {
                let mut j = i + 1;
                if w == "macro_rules" {
                    j += 1; // `!`
                }
                if let Some((Tok::Ident(name), _)) = toks.get(j) {
                    if top && scopes.is_empty() {
                        f.defines.insert(name.clone());
                    }
                }
                i += 1;
            }
            Tok::Ident(first) if toks.get(i + 1).is_some_and(|t| t.0 == Tok::Colon2) && (i == 0 || toks[i - 1].0 != Tok::Colon2) => {
                let mut segs = vec![first.clone()];
                let mut j = i + 1;
                while toks.get(j).is_some_and(|t| t.0 == Tok::Colon2) {
                    match toks.get(j + 1) {
                        Some((Tok::Ident(w), _)) => {
                            segs.push(w.clone());
                            j += 2;
                        }
                        _ => break,
                    }
                }
                let cur = here(&scopes);
                if let Some(abs) = absolute(&segs, &cur, m, files, &aliases) {
                    f.refs.push((abs, line, segs.join("::")));
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    f
}

/// The absolute path (from the crate root) of `segs` written in scope `cur` of file module
/// `m`, or None for paths into other crates and names this checker does not follow.
fn absolute(
    segs: &[String],
    cur: &[String],
    m: &[String],
    files: &BTreeMap<Vec<String>, PathBuf>,
    aliases: &HashMap<String, Vec<String>>,
) -> Option<Vec<String>> {
    let first = segs.first()?;
    let mut rest = &segs[1..];
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => cur.to_vec(),
        "super" => {
            let mut b = cur.to_vec();
            b.pop();
            while rest.first().is_some_and(|s| s == "super") {
                b.pop();
                rest = &rest[1..];
            }
            b
        }
        name => {
            let mut child = m.to_vec();
            child.push(name.to_string());
            if cur.len() == m.len() && files.contains_key(&child) {
                child
            } else if let Some(target) = aliases.get(name) {
                target.clone()
            } else {
                return None;
            }
        }
    };
    base.extend(rest.iter().cloned());
    Some(base)
}

impl Crate {
    /// The module that holds what `abs` names: the longest existing module, then through
    /// that module's imports and glob imports when the next segment is an item it imports.
    fn resolve(&self, abs: &[String], hops: usize) -> Vec<String> {
        let mut k = abs.len();
        while k > 0 && !self.files.contains_key(&abs[..k]) {
            k -= 1;
        }
        let module = abs[..k].to_vec();
        let Some(name) = abs.get(k) else { return module };
        if hops > 8 || name == "*" {
            return module;
        }
        let facts = &self.facts[&module];
        if facts.defines.contains(name) {
            return module;
        }
        if let Some(target) = facts.imports.get(name) {
            let mut next = target.clone();
            next.extend(abs[k + 1..].iter().cloned());
            if next.as_slice() != abs {
                return self.resolve(&next, hops + 1);
            }
        }
        for g in &facts.globs {
            let held = self.files.contains_key(g) && (self.facts[g].defines.contains(name) || self.facts[g].imports.contains_key(name));
            if held {
                let mut next = g.clone();
                next.extend(abs[k..].iter().cloned());
                return self.resolve(&next, hops + 1);
            }
        }
        module
    }

    /// Edges: from -> to -> (file:line, as written), the first reference of each.
    fn edges(&self) -> BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> {
        let mut edges: BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> = BTreeMap::new();
        for (m, facts) in &self.facts {
            for (abs, line, written) in &facts.refs {
                let to = self.resolve(abs, 0);
                if &to != m {
                    let at = format!("{}:{line}: {written}", self.files[m].display());
                    edges.entry(m.clone()).or_default().entry(to).or_insert(at);
                }
            }
        }
        edges
    }
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// Tarjan's strongly connected components.
fn components(nodes: &[Vec<String>], edges: &BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>>) -> Vec<Vec<Vec<String>>> {
    struct T<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>>,
        index: HashMap<Vec<String>, usize>,
        low: HashMap<Vec<String>, usize>,
        stack: Vec<Vec<String>>,
        on: BTreeSet<Vec<String>>,
        next: usize,
        out: Vec<Vec<Vec<String>>>,
    }
    fn visit(t: &mut T, v: &Vec<String>) {
        t.index.insert(v.clone(), t.next);
        t.low.insert(v.clone(), t.next);
        t.next += 1;
        t.stack.push(v.clone());
        t.on.insert(v.clone());
        let succ: Vec<Vec<String>> = t.edges.get(v).map(|e| e.keys().cloned().collect()).unwrap_or_default();
        for w in succ {
            if !t.index.contains_key(&w) {
                visit(t, &w);
                let l = t.low[v].min(t.low[&w]);
                t.low.insert(v.clone(), l);
            } else if t.on.contains(&w) {
                let l = t.low[v].min(t.index[&w]);
                t.low.insert(v.clone(), l);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(&w);
                let done = &w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            comp.sort();
            t.out.push(comp);
        }
    }
    let mut t = T { edges, index: HashMap::new(), low: HashMap::new(), stack: Vec::new(), on: BTreeSet::new(), next: 0, out: Vec::new() };
    for v in nodes {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out.retain(|c| c.len() > 1);
    t.out.sort();
    t.out
}

/// Every circle of the crates under `root`, written out; empty when there is none.
fn circles(root: &Path, crates: &[&str]) -> String {
    let mut report = String::new();
    for dir in crates {
        let krate = read_crate(root, dir);
        let edges = krate.edges();
        let nodes: Vec<Vec<String>> = krate.files.keys().cloned().collect();
        for comp in components(&nodes, &edges) {
            let names: Vec<String> = comp.iter().map(|m| name(m)).collect();
            let _ = writeln!(report, "{}: circle of {} modules: {}", krate.label, comp.len(), names.join(", "));
            for from in &comp {
                for (to, at) in edges.get(from).into_iter().flatten() {
                    if comp.contains(to) {
                        let _ = writeln!(report, "    {} -> {}  ({at})", name(from), name(to));
                    }
                }
            }
        }
    }
    report
}

fn checkout() -> PathBuf {
    match std::env::var_os("EPAY_IMPORT_ROOT") {
        Some(root) => PathBuf::from(root),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf(),
    }
}

#[test]
fn no_crate_has_an_import_circle() {
    let root = checkout();
    let crates = crates(&root);
    assert!(crates.len() >= 5, "{crates:?}: the widget and the workspace members");
    for dir in &crates {
        assert!(root.join(dir).join("lib.rs").exists(), "{dir}/lib.rs: the checker reads this crate");
    }
    let crates: Vec<&str> = crates.iter().map(String::as_str).collect();
    let report = circles(&root, &crates);
    assert!(report.is_empty(), "import circles in {}:\n{report}", root.display());
}

/// The checker itself: a planted circle (through a parent's glob re-export, as
/// `interop::{args, wire}` had) is found and named; `mod` declarations, `use super::*` in
/// an inline test module and paths into other crates are not edges.
#[test]
fn the_checker_finds_a_circle_through_a_glob_re_export() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("interop")).unwrap();
    let write = |p: &str, text: &str| std::fs::write(src.join(p), text).unwrap();
    write("lib.rs", "pub mod interop;\npub mod leaf;\npub fn root() {}\n");
    write("leaf.rs", "//! crate::interop::args\npub fn text() -> &'static str { \"crate::interop::args\" }\n");
    write("interop/mod.rs", "pub mod args;\npub mod wire;\npub use args::*;\npub use wire::*;\n");
    write("interop/args.rs", "use super::wire::JsWire;\npub fn scalar() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n");
    write("interop/wire.rs", "use super::scalar;\nuse std::fmt;\npub struct JsWire;\npub fn f() { crate::leaf::text(); }\n");
    let report = circles(dir.path(), &["src"]);
    assert_eq!(
        report,
        "src: circle of 2 modules: interop::args, interop::wire\n    interop::args -> interop::wire  (src/interop/args.rs:1: use super::wire::JsWire)\n    interop::wire -> interop::args  (src/interop/wire.rs:1: use super::scalar)\n"
    );
    // Broken: the shared piece moves to the leaf.
    write("interop/wire.rs", "use crate::leaf::text;\npub struct JsWire;\n");
    assert_eq!(circles(dir.path(), &["src"]), "");
}

/// The sandbox's layers (documented in `cli/src/sandbox/mod.rs`), lowest first: a module
/// imports only from its own folder or from a lower layer. `platform` and `demo_shop` share
/// a rank: neither imports the other (the demo shop is the platform's client over HTTP).
const SANDBOX_LAYERS: [(&str, u8); 6] = [("server", 0), ("ledger", 1), ("methods", 2), ("platform", 3), ("demo_shop", 3), ("", 4)];

fn sandbox_layer(m: &[String]) -> Option<(&'static str, u8)> {
    if m.first().map(String::as_str) != Some("sandbox") {
        return None;
    }
    let folder = m.get(1).map(String::as_str).unwrap_or("");
    SANDBOX_LAYERS.iter().find(|(name, _)| *name == folder).copied().or(Some(("", 4)))
}

#[test]
fn sandbox_layers_import_only_downwards() {
    let krate = read_crate(&checkout(), "cli/src");
    let mut wrong = String::new();
    for (from, tos) in krate.edges() {
        let Some((from_folder, from_rank)) = sandbox_layer(&from) else { continue };
        for (to, at) in tos {
            let Some((to_folder, to_rank)) = sandbox_layer(&to) else { continue };
            if from_folder != to_folder && to_rank >= from_rank {
                let _ = writeln!(wrong, "{} (layer {from_rank}) -> {} (layer {to_rank})  ({at})", name(&from), name(&to));
            }
        }
    }
    assert!(wrong.is_empty(), "sandbox imports against the layering (server < ledger < methods < platform, demo_shop < sandbox):\n{wrong}");
}
