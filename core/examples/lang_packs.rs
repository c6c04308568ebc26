//! Writes the widget's language packs: `<dir>/<code>.json` for every language but English
//! (which is compiled into the widget), `{"Title": "...", ...}` from `core/src/i18n/*.rs`.
//! `scripts/build-widget.sh` runs it: `cargo run -q -p epay-core --example lang_packs -- pkg/lang`.

use epay_core::i18n::{pack_entries, Lang};
use serde_json::{Map, Value};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "pkg/lang".into());
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let pack: Map<String, Value> = pack_entries(lang).into_iter().map(|(k, v)| (k.to_string(), Value::from(v))).collect();
        let path = format!("{dir}/{}.json", lang.code());
        std::fs::write(&path, serde_json::to_string(&pack).expect("JSON")).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}
