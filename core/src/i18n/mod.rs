//! The widget's texts in English, Russian, Kazakh, Malay and Swahili.
//!
//! Every language is one file here (`en.rs`, `ru.rs`, `kk.rs`, `ms.rs`, `sw.rs`) with one
//! function, an exhaustive `match` on [`Key`], so a key added without all five texts does
//! not compile. A sixth language: its file, a `Lang` variant, and the compiler lists the
//! rest (`code`, `bcp47`, `parse`, `t`; see CONTRIBUTING.md). Placeholders (`{amount}`, `{time}`,
//! `{id}`, `{service}`, `{account}`) are filled by [`tf`]; the tests check that every
//! language keeps exactly the placeholders of the English text.
//!
//! Terminal menu labels quoted in the instructions (“Online payment”) are kept as the
//! terminal shows them, with a translation in brackets where the reader may not know
//! English.

mod en;
pub mod keys;
mod kk;
mod ms;
mod ru;
mod sw;

pub use keys::{method_keys, Key, MoneyStyle};

/// A language of the widget's interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
    Kk,
    Ms,
    Sw,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Ru, Lang::Kk, Lang::Ms, Lang::Sw];

    /// ISO 639-1 code: "en", "ru", "kk", "ms", "sw".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::Ms => "ms",
            Lang::Sw => "sw",
        }
    }

    /// Locale for `Intl` number and date formatting, in the customers' countries.
    pub fn bcp47(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru-RU",
            Lang::Kk => "kk-KZ",
            Lang::Ms => "ms-MY",
            Lang::Sw => "sw-KE",
        }
    }

    /// One language tag as merchants and browsers write it: "ru", "RU", "ru-RU",
    /// "ru_RU", "kk", "kz" (the country code, a common mistake for Kazakh), "ms-MY",
    /// "sw-KE", ISO 639-2 codes such as "rus". Anything else is `None`; "my" is
    /// Burmese, not Malay, and is not taken.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "en" | "eng" => Some(Lang::En),
            "ru" | "rus" => Some(Lang::Ru),
            "kk" | "kz" | "kaz" => Some(Lang::Kk),
            "ms" | "msa" | "may" | "zsm" => Some(Lang::Ms),
            "sw" | "swa" | "swh" => Some(Lang::Sw),
            _ => None,
        }
    }

    /// `language_code` param first, then the browser's languages in order, then
    /// English. Unknown or empty codes fall through to the next source.
    pub fn pick(language_code: Option<&str>, browser: &[String]) -> Lang {
        language_code.into_iter().chain(browser.iter().map(String::as_str)).find_map(Lang::parse).unwrap_or(Lang::En)
    }
}

fn money_style(lang: Lang) -> &'static MoneyStyle {
    match lang {
        Lang::En => &en::MONEY,
        Lang::Ru => &ru::MONEY,
        Lang::Kk => &kk::MONEY,
        Lang::Ms => &ms::MONEY,
        Lang::Sw => &sw::MONEY,
    }
}

/// `amount` of `currency` (minor units) for a customer reading `lang`:
/// `KES 1,234,567.50`, `1 234 567,50 ₸`, `RM 10.00`, `Ksh 100.00`.
pub fn format_amount(lang: Lang, amount: crate::MinorUnits, currency: &str) -> String {
    let style = money_style(lang);
    let exp = crate::money::exponent(currency);
    let abs = amount.0.unsigned_abs();
    // Not zero: no division-by-zero panic path in the wasm.
    let unit = std::num::NonZeroU64::new(10u64.pow(exp)).unwrap_or(std::num::NonZeroU64::MIN);
    let digits = epay_drawing::text::u64_text(abs / unit);
    let mut number = String::with_capacity(digits.len() + 8);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            number.push(style.group);
        }
        number.push(c);
    }
    if exp > 0 {
        number.push(style.decimal);
        epay_drawing::text::push_padded(&mut number, abs % unit, exp as usize);
    }
    let symbol = style.symbols.iter().find(|(code, _)| *code == currency).map(|(_, s)| *s);
    let sign = if amount.0 < 0 { "-" } else { "" };
    match (style.currency_first, symbol) {
        (true, Some(s)) => [sign, s, &number].concat(),
        (true, None) => [sign, currency, "\u{a0}", &number].concat(),
        (false, Some(s)) => [sign, &number, s].concat(),
        (false, None) => [sign, &number, "\u{a0}", currency].concat(),
    }
}

/// The text of `key` in `lang`, placeholders unfilled. Without the `builtin-langs`
/// feature (the browser widget), a language other than English speaks once its pack is
/// installed ([`install_pack`]) and English until then.
pub fn t(lang: Lang, key: Key) -> &'static str {
    #[cfg(feature = "builtin-langs")]
    return match lang {
        Lang::En => english(key),
        Lang::Ru => ru::text(key),
        Lang::Kk => kk::text(key),
        Lang::Ms => ms::text(key),
        Lang::Sw => sw::text(key),
    };
    #[cfg(not(feature = "builtin-langs"))]
    packs::text(lang, key).unwrap_or_else(|| english(key))
}

/// The English text of `key`. The widget's first module (feature `first-texts`, issue 26)
/// carries only the texts it shows, the loading screen's and the picker's: `""` for others.
fn english(key: Key) -> &'static str {
    #[cfg(feature = "first-texts")]
    return en::first_text(key).unwrap_or("");
    #[cfg(not(feature = "first-texts"))]
    en::text(key)
}

/// Whether this build shows `key` (the first module: only its own texts).
fn carried(key: Key) -> bool {
    !cfg!(feature = "first-texts") || en::first_text(key).is_some()
}

/// Whether `lang`'s texts are here (English and built-in languages always are).
pub fn has_texts(lang: Lang) -> bool {
    lang == Lang::En || cfg!(feature = "builtin-langs") || packs::text(lang, Key::Title).is_some()
}

/// A language pack: `{"Title": "...", ...}`, one text per key. Refused (and English kept)
/// unless it has every key with exactly the English text's placeholders, so a pack from
/// another version of the widget cannot put a wrong text on screen.
pub fn install_pack(lang: Lang, entries: impl IntoIterator<Item = (String, String)>) -> Result<(), PackError> {
    let mut texts: Vec<Option<String>> = vec![None; Key::ALL.len()];
    for (name, text) in entries {
        if let Some(k) = Key::ALL.iter().find(|k| k.name() == name).filter(|k| carried(**k)) {
            if placeholders(&text) != placeholders(english(*k)) {
                return Err(PackError::Placeholders(k.name()));
            }
            if let Some(slot) = texts.get_mut(*k as usize) {
                *slot = Some(text);
            }
        }
    }
    let mut all = Vec::with_capacity(texts.len());
    for (k, text) in Key::ALL.iter().zip(texts) {
        let text = match text {
            Some(t) => t,
            None if carried(*k) => return Err(PackError::Missing(k.name())),
            None => String::new(),
        };
        all.push(&*Box::leak(text.into_boxed_str()));
    }
    packs::install(lang, all);
    Ok(())
}

/// Why a language pack was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    Missing(&'static str),
    Placeholders(&'static str),
}

/// `{name}` placeholders of a text, in order.
fn placeholders(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    // `split_once`, not slicing at found indices: no panic path in the wasm.
    while let Some((_, after)) = rest.split_once('{') {
        match after.split_once('}') {
            Some((name, next)) => {
                out.push(name);
                rest = next;
            }
            None => break,
        }
    }
    out
}

/// Installed language packs (one per language, for the page's life).
mod packs {
    use super::{Key, Lang};
    use std::cell::RefCell;

    thread_local! {
        static PACKS: RefCell<Vec<(Lang, Vec<&'static str>)>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn install(lang: Lang, texts: Vec<&'static str>) {
        PACKS.with(|p| {
            let mut p = p.borrow_mut();
            p.retain(|(l, _)| *l != lang);
            p.push((lang, texts));
        });
    }

    pub(super) fn text(lang: Lang, key: Key) -> Option<&'static str> {
        PACKS.with(|p| p.borrow().iter().find(|(l, _)| *l == lang).and_then(|(_, t)| t.get(key as usize).copied()))
    }
}

/// `lang`'s pack as JSON (`{"Title": "...", ...}`), for `examples/lang_packs.rs`.
#[cfg(feature = "builtin-langs")]
pub fn pack_entries(lang: Lang) -> Vec<(&'static str, &'static str)> {
    Key::ALL.iter().map(|k| (k.name(), t(lang, *k))).collect()
}

/// The text of `key` with `{name}` placeholders replaced:
/// `tf(Lang::En, Key::PayAmount, &[("amount", "KES 100.00")])` → `"Pay KES 100.00"`.
/// One pass over the template: braces inside the values are not expanded again.
/// A placeholder without a value stays as it is.
pub fn tf(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    let template = t(lang, key);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let value = after.split_once('}').and_then(|(name, next)| args.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, next)));
        match value {
            Some((v, next)) => {
                out.push_str(v);
                rest = next;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// English
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Russian (Русский)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Kazakh (Қазақ тілі, Cyrillic script)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Malay (Bahasa Malaysia)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Swahili (Kiswahili, Kenya)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(all(test, feature = "first-texts", not(feature = "builtin-langs")))]
mod first_module_tests {
    use super::*;

    /// The first module's build (issue 26): English for its own texts only, and a pack
    /// installs those (checked as always); the flows module checks the rest.
    #[test]
    fn the_first_module_carries_and_installs_its_own_texts_only() {
        assert_eq!(t(Lang::En, Key::ChooseMethod), "Choose how to pay");
        assert_eq!(t(Lang::En, Key::PayAmount), "", "not the first module's");
        let pack = |edit: &dyn Fn(&str) -> Option<String>| {
            Key::ALL.iter().filter_map(|k| edit(k.name()).map(|v| (k.name().to_string(), v))).collect::<Vec<_>>()
        };
        let ru = |name: &str| {
            Some(match name {
                "ChooseMethod" => "Выберите способ оплаты".to_string(),
                "Order" => "Заказ {id}".to_string(),
                "PayAmount" => "Оплатить".to_string(), // no {amount}: the flows module refuses it
                other => ["ru ", other].concat(),
            })
        };
        assert_eq!(install_pack(Lang::Ru, pack(&ru)), Ok(()));
        assert_eq!(t(Lang::Ru, Key::ChooseMethod), "Выберите способ оплаты");
        assert_eq!(t(Lang::Ru, Key::PayAmount), "");
        let no_order = |name: &str| if name == "Order" { None } else { ru(name) };
        assert_eq!(install_pack(Lang::Kk, pack(&no_order)), Err(PackError::Missing("Order")));
        let bad_order = |name: &str| if name == "Order" { Some("Заказ".to_string()) } else { ru(name) };
        assert_eq!(install_pack(Lang::Kk, pack(&bad_order)), Err(PackError::Placeholders("Order")));
    }
}

#[cfg(all(test, feature = "builtin-langs"))]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashSet};

    /// `{name}` placeholders of a text, names made of ASCII letters and `_`.
    fn placeholders(s: &str) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('}') {
                let name = &rest[..close];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    out.insert(name);
                }
            }
        }
        out
    }

    /// Keys whose text may equal the English one (brand names, loan words).
    fn allowed_same_as_english(lang: Lang) -> &'static [Key] {
        match lang {
            Lang::En => Key::ALL,
            Lang::Ru | Lang::Kk | Lang::Ms | Lang::Sw => &[],
        }
    }

    #[test]
    fn key_all_lists_every_variant_once_in_order() {
        for (i, k) in Key::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "{k:?} out of order in Key::ALL");
        }
        let unique: HashSet<Key> = Key::ALL.iter().copied().collect();
        assert_eq!(unique.len(), Key::ALL.len());
        // The enum and ALL come from one macro list; the last variant closes it.
        assert_eq!(Key::AccountQrLabel as usize + 1, Key::ALL.len());
    }

    #[test]
    fn every_key_has_a_text_in_every_language() {
        for lang in Lang::ALL {
            for &k in Key::ALL {
                let s = t(lang, k);
                assert!(!s.trim().is_empty(), "{lang:?} {k:?} is empty");
                assert_eq!(s, s.trim(), "{lang:?} {k:?} has outer whitespace");
            }
        }
    }

    #[test]
    fn every_language_keeps_exactly_the_english_placeholders() {
        for &k in Key::ALL {
            let want = placeholders(en::text(k));
            for lang in Lang::ALL {
                assert_eq!(placeholders(t(lang, k)), want, "{lang:?} {k:?}");
            }
        }
    }

    /// `en::text` falls back to `""` for the first module's keys (they are in `first_text`):
    /// every key has its English text, and `first_text` agrees with `text`.
    #[test]
    fn every_key_has_its_english_text() {
        for &k in Key::ALL {
            assert!(!en::text(k).is_empty(), "{k:?} has no English text");
            if let Some(s) = en::first_text(k) {
                assert_eq!(s, en::text(k));
            }
        }
        for m in crate::catalog::MethodCode::ALL {
            let (name, hint) = method_keys(m);
            assert!(en::first_text(name).is_some() && en::first_text(hint).is_some(), "{m:?}: the picker shows its texts");
        }
    }

    #[test]
    fn no_text_has_stray_braces() {
        for lang in Lang::ALL {
            for &k in Key::ALL {
                let s = t(lang, k);
                assert_eq!(s.matches('{').count(), s.matches('}').count(), "{lang:?} {k:?}");
                assert_eq!(s.matches('{').count(), placeholders(s).len(), "{lang:?} {k:?}");
            }
        }
    }

    #[test]
    fn translations_are_not_english_copies() {
        for lang in [Lang::Ru, Lang::Kk, Lang::Ms, Lang::Sw] {
            let allowed = allowed_same_as_english(lang);
            let same: Vec<Key> = Key::ALL.iter().copied().filter(|&k| t(lang, k) == en::text(k)).collect();
            for k in &same {
                assert!(allowed.contains(k), "{lang:?} {k:?} is the English text");
            }
            assert!(same.len() <= 5, "{lang:?}: too many English texts: {same:?}");
        }
    }

    #[test]
    fn cyrillic_languages_use_cyrillic_and_kazakh_uses_kazakh_letters() {
        for lang in [Lang::Ru, Lang::Kk] {
            for &k in Key::ALL {
                let s = t(lang, k);
                let cyr = s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
                assert!(cyr, "{lang:?} {k:?} has no Cyrillic: {s}");
            }
        }
        let kazakh_letters = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";
        let with_kazakh = Key::ALL.iter().filter(|&&k| kk::text(k).chars().any(|c| kazakh_letters.contains(c))).count();
        assert!(with_kazakh * 2 > Key::ALL.len(), "Kazakh texts look Russian");
    }

    #[test]
    fn russian_and_kazakh_texts_differ() {
        let same: Vec<Key> = Key::ALL.iter().copied().filter(|&k| ru::text(k) == kk::text(k)).collect();
        assert!(same.is_empty(), "{same:?}");
    }

    fn langs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pick_prefers_language_code_then_browser_then_english() {
        assert_eq!(Lang::pick(Some("ru"), &langs(&["sw-KE", "en"])), Lang::Ru);
        assert_eq!(Lang::pick(None, &langs(&["sw-KE", "ru"])), Lang::Sw);
        assert_eq!(Lang::pick(None, &[]), Lang::En);
        assert_eq!(Lang::pick(Some("en"), &langs(&["ru"])), Lang::En);
    }

    #[test]
    fn pick_accepts_region_and_case_variants() {
        let cases = [
            ("ru", Lang::Ru),
            ("RU", Lang::Ru),
            ("ru-RU", Lang::Ru),
            ("ru_RU", Lang::Ru),
            ("kk", Lang::Kk),
            ("kk_KZ", Lang::Kk),
            ("kk-KZ", Lang::Kk),
            ("kz", Lang::Kk),
            ("KZ", Lang::Kk),
            ("ms", Lang::Ms),
            ("ms-MY", Lang::Ms),
            ("MS_my", Lang::Ms),
            ("sw", Lang::Sw),
            ("sw-KE", Lang::Sw),
            ("en-GB", Lang::En),
            (" ru ", Lang::Ru),
        ];
        for (code, want) in cases {
            assert_eq!(Lang::pick(Some(code), &[]), want, "language_code {code:?}");
            assert_eq!(Lang::pick(None, &langs(&[code])), want, "browser {code:?}");
        }
    }

    #[test]
    fn pick_lets_unknown_codes_fall_through() {
        for unknown in ["", "de", "my", "my-MM", "xx-KZ", "-", "_", "русский"] {
            assert_eq!(Lang::pick(Some(unknown), &langs(&["ms-MY"])), Lang::Ms, "{unknown:?}");
            assert_eq!(Lang::pick(Some(unknown), &[]), Lang::En, "{unknown:?}");
        }
        assert_eq!(Lang::pick(Some("fr"), &langs(&["de-DE", "zh", "kk-KZ", "ru"])), Lang::Kk);
        assert_eq!(Lang::pick(None, &langs(&["de-DE", "fr"])), Lang::En);
    }

    #[test]
    fn lang_codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_eq!(Lang::parse(lang.bcp47()), Some(lang));
        }
        assert_eq!(Lang::Kk.bcp47(), "kk-KZ");
        assert_eq!(Lang::Sw.bcp47(), "sw-KE");
        assert_eq!(Lang::Ms.bcp47(), "ms-MY");
    }

    #[test]
    fn tf_replaces_placeholders() {
        assert_eq!(tf(Lang::En, Key::PayAmount, &[("amount", "KES 100.00")]), "Pay KES 100.00");
        assert_eq!(tf(Lang::Kk, Key::PayAmount, &[("amount", "1 000 ₸")]), "1 000 ₸ төлеу");
        assert_eq!(
            tf(Lang::Ru, Key::TerminalStep1, &[("service", "Интернет"), ("x", "y")]),
            "Найдите терминал PayDala и выберите «Интернет»."
        );
        assert_eq!(tf(Lang::En, Key::Order, &[("id", "A-1")]), "Order A-1");
    }

    #[test]
    fn tf_does_not_expand_braces_inside_values_and_keeps_missing_ones() {
        assert_eq!(tf(Lang::En, Key::Order, &[("id", "{amount}")]), "Order {amount}");
        assert_eq!(tf(Lang::En, Key::Order, &[]), "Order {id}");
        assert_eq!(tf(Lang::En, Key::Close, &[("id", "1")]), "Close");
    }

    #[test]
    fn tf_fills_every_placeholder_in_every_language() {
        let args = [("amount", "AMT"), ("time", "TIME"), ("id", "ID"), ("service", "SVC"), ("account", "ACC")];
        for lang in Lang::ALL {
            for &k in Key::ALL {
                let s = tf(lang, k, &args);
                assert!(!s.contains('{') && !s.contains('}'), "{lang:?} {k:?}: {s}");
            }
        }
    }

    /// What Node's `Intl.NumberFormat` (ICU) writes for each language, currency and sign;
    /// the browsers' own `Intl` is compared by a browser test (tests/web.rs).
    #[test]
    fn amounts_are_written_as_intl_writes_them() {
        let cases: &[(Lang, &str, i64, &str)] = &[
            (Lang::En, "KES", 123456750, "KES\u{a0}1,234,567.50"),
            (Lang::En, "KES", 5, "KES\u{a0}0.05"),
            (Lang::En, "KES", -100000, "-KES\u{a0}1,000.00"),
            (Lang::En, "USD", 123456750, "$1,234,567.50"),
            (Lang::En, "USD", 5, "$0.05"),
            (Lang::En, "USD", -100000, "-$1,000.00"),
            (Lang::En, "MYR", 123456750, "MYR\u{a0}1,234,567.50"),
            (Lang::En, "MYR", 5, "MYR\u{a0}0.05"),
            (Lang::En, "MYR", -100000, "-MYR\u{a0}1,000.00"),
            (Lang::En, "KZT", 123456750, "KZT\u{a0}1,234,567.50"),
            (Lang::En, "KZT", 5, "KZT\u{a0}0.05"),
            (Lang::En, "KZT", -100000, "-KZT\u{a0}1,000.00"),
            (Lang::Ru, "KES", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}KES"),
            (Lang::Ru, "KES", 5, "0,05\u{a0}KES"),
            (Lang::Ru, "KES", -100000, "-1\u{a0}000,00\u{a0}KES"),
            (Lang::Ru, "USD", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}$"),
            (Lang::Ru, "USD", 5, "0,05\u{a0}$"),
            (Lang::Ru, "USD", -100000, "-1\u{a0}000,00\u{a0}$"),
            (Lang::Ru, "MYR", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}MYR"),
            (Lang::Ru, "MYR", 5, "0,05\u{a0}MYR"),
            (Lang::Ru, "MYR", -100000, "-1\u{a0}000,00\u{a0}MYR"),
            (Lang::Ru, "KZT", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}KZT"),
            (Lang::Ru, "KZT", 5, "0,05\u{a0}KZT"),
            (Lang::Ru, "KZT", -100000, "-1\u{a0}000,00\u{a0}KZT"),
            (Lang::Kk, "KES", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}KES"),
            (Lang::Kk, "KES", 5, "0,05\u{a0}KES"),
            (Lang::Kk, "KES", -100000, "-1\u{a0}000,00\u{a0}KES"),
            (Lang::Kk, "USD", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}$"),
            (Lang::Kk, "USD", 5, "0,05\u{a0}$"),
            (Lang::Kk, "USD", -100000, "-1\u{a0}000,00\u{a0}$"),
            (Lang::Kk, "MYR", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}MYR"),
            (Lang::Kk, "MYR", 5, "0,05\u{a0}MYR"),
            (Lang::Kk, "MYR", -100000, "-1\u{a0}000,00\u{a0}MYR"),
            (Lang::Kk, "KZT", 123456750, "1\u{a0}234\u{a0}567,50\u{a0}\u{20b8}"),
            (Lang::Kk, "KZT", 5, "0,05\u{a0}\u{20b8}"),
            (Lang::Kk, "KZT", -100000, "-1\u{a0}000,00\u{a0}\u{20b8}"),
            (Lang::Ms, "KES", 123456750, "KES\u{a0}1,234,567.50"),
            (Lang::Ms, "KES", 5, "KES\u{a0}0.05"),
            (Lang::Ms, "KES", -100000, "-KES\u{a0}1,000.00"),
            (Lang::Ms, "USD", 123456750, "USD\u{a0}1,234,567.50"),
            (Lang::Ms, "USD", 5, "USD\u{a0}0.05"),
            (Lang::Ms, "USD", -100000, "-USD\u{a0}1,000.00"),
            (Lang::Ms, "MYR", 123456750, "RM\u{a0}1,234,567.50"),
            (Lang::Ms, "MYR", 5, "RM\u{a0}0.05"),
            (Lang::Ms, "MYR", -100000, "-RM\u{a0}1,000.00"),
            (Lang::Ms, "KZT", 123456750, "KZT\u{a0}1,234,567.50"),
            (Lang::Ms, "KZT", 5, "KZT\u{a0}0.05"),
            (Lang::Ms, "KZT", -100000, "-KZT\u{a0}1,000.00"),
            (Lang::Sw, "KES", 123456750, "Ksh\u{a0}1,234,567.50"),
            (Lang::Sw, "KES", 5, "Ksh\u{a0}0.05"),
            (Lang::Sw, "KES", -100000, "-Ksh\u{a0}1,000.00"),
            (Lang::Sw, "USD", 123456750, "$\u{a0}1,234,567.50"),
            (Lang::Sw, "USD", 5, "$\u{a0}0.05"),
            (Lang::Sw, "USD", -100000, "-$\u{a0}1,000.00"),
            (Lang::Sw, "MYR", 123456750, "MYR\u{a0}1,234,567.50"),
            (Lang::Sw, "MYR", 5, "MYR\u{a0}0.05"),
            (Lang::Sw, "MYR", -100000, "-MYR\u{a0}1,000.00"),
            (Lang::Sw, "KZT", 123456750, "KZT\u{a0}1,234,567.50"),
            (Lang::Sw, "KZT", 5, "KZT\u{a0}0.05"),
            (Lang::Sw, "KZT", -100000, "-KZT\u{a0}1,000.00"),
        ];
        for &(lang, currency, minor, want) in cases {
            assert_eq!(format_amount(lang, crate::MinorUnits(minor), currency), want, "{lang:?} {currency} {minor}");
        }
        assert_eq!(format_amount(Lang::En, crate::MinorUnits(1000), "JPY"), "JPY\u{a0}1,000");
    }

    #[test]
    fn a_pack_speaks_once_installed_and_a_pack_of_another_version_is_refused() {
        let entries = |lang| pack_entries(lang).into_iter().map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(install_pack(Lang::Kk, entries(Lang::Kk)), Ok(()));
        assert_eq!(packs::text(Lang::Kk, Key::ChooseMethod), Some(t(Lang::Kk, Key::ChooseMethod)));
        assert!(has_texts(Lang::Kk));
        let missing = entries(Lang::Ru).filter(|(k, _)| k != "Close");
        assert_eq!(install_pack(Lang::Ru, missing), Err(PackError::Missing("Close")));
        let wrong = entries(Lang::Ru).map(|(k, v)| if k == "Order" { (k, "Заказ".to_string()) } else { (k, v) });
        assert_eq!(install_pack(Lang::Ru, wrong), Err(PackError::Placeholders("Order")));
        assert_eq!(packs::text(Lang::Ru, Key::Order), None, "refused packs leave nothing");
    }
}
