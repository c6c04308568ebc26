//! Minifies the widget's stylesheet (src/view/style.css) into OUT_DIR: comments and
//! layout whitespace cost bytes in every browser's download and nothing at run time.

use std::{env, fs, path::Path};

/// Drops `/* */` comments, collapses whitespace, and removes it around `{ } ; , >` and
/// after `:` (a pseudo-class never has a space after its colon; before a colon a space
/// may be a descendant combinator, so that one stays).
fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..].find("*/").map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    text.push_str(rest);
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let joins = |c: Option<char>| matches!(c, Some('{' | '}' | ';' | ',' | '>'));
        let last = out.chars().last();
        if !out.is_empty() && !joins(last) && last != Some(':') && !joins(word.chars().next()) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.replace(";}", "}")
}

fn main() {
    let src = "src/view/style.css";
    println!("cargo:rerun-if-changed={src}");
    let css = fs::read_to_string(src).expect("src/view/style.css");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("style.min.css");
    fs::write(out, minify(&css)).expect("write the minified stylesheet");
}
