//! Minifies the widget's stylesheet (src/view/style.css) into OUT_DIR: comments and
//! layout whitespace cost bytes in every browser's download and nothing at run time. Two
//! sheets: `style.min.css` (the flows module: everything) and `picker.min.css` (the first
//! module, issue 26: without the rules between `/* flows */` and `/* end flows */`, which
//! style what only the flows module draws).

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
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).to_path_buf();
    fs::write(out.join("style.min.css"), minify(&css)).expect("write the minified stylesheet");
    fs::write(out.join("picker.min.css"), minify(&without_flows(&css))).expect("write the picker's stylesheet");
}

/// `css` without the ranges from `/* flows */` to `/* end flows */`.
fn without_flows(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/* flows */") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("/* end flows */").expect("every /* flows */ has its /* end flows */");
        rest = &rest[start + end + "/* end flows */".len()..];
    }
    out.push_str(rest);
    out
}
