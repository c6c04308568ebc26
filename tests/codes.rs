//! The code screens in a real browser: EPay code (run and showCode), PayDala terminal,
//! followRedirect. The QR code and the barcode are read back from the drawn SVG paths
//! (QR: painted as a picture and scanned with rqrr; Code 128: bar widths decoded with the
//! standard's table typed in below), not just checked for existence.
#![cfg(target_arch = "wasm32")]

mod support;

use epay_core::callback::{PaymentStatus, Sum};
use epay_core::catalog::CustomerField;
use epay_core::epay_cash::format_valid_time;
use epay_core::i18n::{t, Key, Lang};
use epay_core::protocol::{NextAction, PaymentView};
use epay_core::redirect::{FormBody, HttpMethod};
use epay_core::{MethodCode, MinorUnits, RedirectData};
use epay_widget::interop::redirect_data_to_js;
use epay_widget::redirect::{follow_redirect, NavigateHook};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlFormElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const REFERENCE: &str = "045-050-000";

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// Seed 002's `redirect_data`, valid for `secs` more seconds (Malaysia time, as EPay writes it).
fn seed_code(secs: i64) -> RedirectData {
    RedirectData {
        method: HttpMethod::Get,
        url: "https://onlinepayment.epay.com".into(),
        body: FormBody(vec![
            ("reference_number".into(), REFERENCE.into()),
            ("valid_time".into(), format_valid_time(now_secs() + secs)),
            ("user_name".into(), "THANAPAT JISAMANYA".into()),
        ]),
    }
}

/// Waits up to `ms` until `cond` holds.
async fn within(ms: u32, what: &str, cond: impl Fn() -> bool) {
    for _ in 0..ms / 20 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out after {ms} ms waiting for {what}");
}

fn text_of(root: &ShadowRoot, sel: &str) -> String {
    q(root, sel).unwrap_or_else(|| panic!("{sel} on screen")).text_content().unwrap_or_default()
}

fn live(root: &ShadowRoot) -> String {
    text_of(root, ".epay-sr[role=status]")
}

// ------------------------------------------------------------------ reading the drawings

fn view_box_side(svg: &Element) -> (usize, usize) {
    let vb = svg.get_attribute("viewBox").expect("viewBox");
    let n: Vec<usize> = vb.split(' ').map(|p| p.parse().expect("integer viewBox")).collect();
    assert_eq!((n[0], n[1]), (0, 0), "{vb}");
    (n[2], n[3])
}

fn path_d(svg: &Element) -> String {
    let paths = svg.query_selector_all("path").unwrap();
    assert_eq!(paths.length(), 1, "one path per drawing");
    assert_eq!(svg.child_element_count(), 1);
    paths.item(0).unwrap().unchecked_into::<Element>().get_attribute("d").expect("d")
}

/// Subpaths `M{x} {y}h{w}v{h}h-{w}z` as (x, y, w, h).
fn rects(d: &str) -> Vec<(usize, usize, usize, usize)> {
    d.split('M')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.strip_suffix('z').unwrap_or_else(|| panic!("closed subpath: {s}"));
            let (xy, rest) = s.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (w, rest) = rest.split_once('v').unwrap();
            let (h, back) = rest.split_once("h-").unwrap();
            assert_eq!(back, w, "the subpath goes back to its start");
            (x.parse().unwrap(), y.parse().unwrap(), w.parse().unwrap(), h.parse().unwrap())
        })
        .collect()
}

/// Paints the QR path at 4 px a module (white around) and scans it with rqrr.
fn scan_qr(svg: &Element) -> String {
    let (side, side_y) = view_box_side(svg);
    assert_eq!(side, side_y, "square");
    let mut dark = BTreeSet::new();
    for (x, y, w, h) in rects(&path_d(svg)) {
        assert_eq!(h, 1, "one module high");
        for i in x..x + w {
            assert!(dark.insert((i, y)), "a module painted twice");
        }
    }
    const PX: usize = 4;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(side * PX, side * PX, |x, y| if dark.contains(&(x / PX, y / PX)) { 0 } else { 255 });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the drawing");
    let (meta, text) = grids[0].decode().expect("the QR code decodes");
    assert_eq!(meta.ecc_level, 0, "level M");
    text
}

// ISO/IEC 15417 table 1: element widths of values 0..=105, then the stop pattern (the copy
// core's tests also check the library's table against).
include!("../core/tests/data/code128_standard.rs");
const CODE128: [&str; 107] = CODE128_STANDARD;

/// Reads the barcode's bars back: element widths → symbol values → checksum → text.
fn scan_barcode(svg: &Element) -> String {
    let (width, height) = view_box_side(svg);
    let bars = rects(&path_d(svg));
    let mut elements = vec![];
    let mut end = bars[0].0;
    assert!(end >= 10, "quiet zone on the left");
    for (x, y, w, h) in &bars {
        assert_eq!((*y, *h), (0, height), "full-height bars");
        if !elements.is_empty() {
            elements.push(x - end); // the space before this bar
        }
        elements.push(*w);
        end = x + w;
    }
    assert!(width - end >= 10, "quiet zone on the right");
    let digits: String = elements.iter().map(|w| char::from(b'0' + *w as u8)).collect();
    assert!(digits.ends_with(CODE128[106]), "stop pattern: {digits}");
    let body = &digits[..digits.len() - 7];
    assert_eq!(body.len() % 6, 0);
    let values: Vec<usize> = (0..body.len() / 6)
        .map(|i| CODE128[..106].iter().position(|p| *p == &body[i * 6..i * 6 + 6]).unwrap_or_else(|| panic!("symbol {i} unknown")))
        .collect();
    let (check, data) = values[1..].split_last().unwrap();
    let sum = values[0] + data.iter().enumerate().map(|(i, v)| (i + 1) * v).sum::<usize>();
    assert_eq!(sum % 103, *check, "checksum");
    let mut set = match values[0] {
        104 => 'B',
        105 => 'C',
        v => panic!("start {v}"),
    };
    let mut out = String::new();
    for &v in data {
        match (set, v) {
            (_, 99) => set = 'C',
            (_, 100) => set = 'B',
            ('C', v) => out.push_str(&format!("{v:02}")),
            (_, v) => out.push(char::from(b' ' + v as u8)),
        }
    }
    out
}

// ------------------------------------------------------------------ EPay code, run mode

fn epay_open() -> epay_core::protocol::OpenResponse {
    let known = customer(&[
        (CustomerField::FirstName, "Putra"),
        (CustomerField::LastName, "Cane"),
        (CustomerField::Email, "putra@mail.com"),
        (CustomerField::Phone, "60321669552"),
    ]);
    opened("MYR", 500_000, known, Some(MethodCode::EpayCash))
}

fn awaiting(action: NextAction) -> PaymentView {
    PaymentView {
        status: Some(PaymentStatus::AwaitingCustomer),
        method: Some(MethodCode::EpayCash),
        action: Some(action),
        ..Default::default()
    }
}

#[wasm_bindgen_test]
async fn the_code_screen_shows_a_scannable_qr_and_barcode_of_the_reference_number() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(epay_open()));
    let rd = seed_code(3600);
    let valid_until = epay_core::epay_cash::parse_valid_time(rd.body.get("valid_time").unwrap()).unwrap();
    fake.pay.borrow_mut().push_back(Ok(awaiting(NextAction::ShowCode { redirect_data: rd.clone() })));
    fake.status.borrow_mut().push_back(Ok(awaiting(NextAction::ShowCode { redirect_data: rd })));
    let on_code = Recorder::new();
    let p = params("MYR", 500_000);
    set(&p, "force_payment_method", "epaycash");
    set(&p, "onCode", on_code.function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("code screen", || screen(&root) == "code").await;

    assert_eq!(text_of(&root, "h2"), "Pay cash with this code");
    assert_eq!(text_of(&root, "[data-testid=reference-number]"), REFERENCE);
    let copy = q(&root, "button[data-action=copy]").expect("copy button");
    assert_eq!(copy.get_attribute("type").as_deref(), Some("button"));
    let qr = q(&root, "svg[data-testid=qr]").expect("QR code");
    assert_eq!(qr.namespace_uri().as_deref(), Some("http://www.w3.org/2000/svg"));
    assert_eq!(qr.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(qr.get_attribute("aria-label").as_deref(), Some(t(Lang::En, Key::CodeQrLabel)));
    assert_eq!(scan_qr(&qr), REFERENCE);
    let bar = q(&root, "svg[data-testid=barcode]").expect("barcode");
    assert_eq!(bar.get_attribute("aria-label").as_deref(), Some(t(Lang::En, Key::CodeBarcodeLabel)));
    assert_eq!(scan_barcode(&bar), REFERENCE);
    assert_eq!(text_of(&root, ".epay-barcode-text"), REFERENCE, "human-readable line under the bars");
    assert_eq!(text_of(&root, "[data-testid=user-name]"), "THANAPAT JISAMANYA");
    let all = text(&root);
    assert!(all.contains("5,000.00"), "amount in the customer's locale: {all}");
    // valid_time is Malaysia time; the screen shows the same instant in the browser's zone.
    let local =
        js_sys::Function::new_with_args("t", "return new Date(t * 1000).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' })")
            .call1(&JsValue::NULL, &(valid_until as f64).into())
            .unwrap()
            .as_string()
            .unwrap();
    assert_eq!(text_of(&root, ".epay-valid"), format!("Pay before {local}"));
    let timer = q(&root, "[role=timer][data-testid=countdown]").expect("countdown");
    assert_eq!(timer.get_attribute("aria-live").as_deref(), Some("off"));
    let left = timer.text_content().unwrap();
    assert!(left == "Time left: 1:00:00" || left == "Time left: 59:59", "{left}");
    assert_eq!(qa(&root, "ol.epay-steps li").len(), 4);
    assert!(text(&root).contains("insert cash for MYR"), "step 3 names the amount: {}", text(&root));
    assert!(q(&root, "button[data-action=print]").is_some());
    assert_eq!(on_code.count(), 1);
    assert_eq!(get(&on_code.last(), "payment_method").as_string().as_deref(), Some("epaycash"));
    // The widget keeps following the payment while the code is on screen.
    let polls = fake.count("status");
    within(1000, "more polls", || fake.count("status") > polls + 2).await;
    assert_eq!(on_code.count(), 1, "the code is announced to the page once");
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn the_platform_reporting_expired_or_success_ends_the_code_screen() {
    for (status, heading) in [(PaymentStatus::Expired, "Payment expired"), (PaymentStatus::Success, "Payment successful")] {
        let fake = Fake::new();
        *fake.open.borrow_mut() = Some(Ok(epay_open()));
        let rd = seed_code(600);
        fake.pay.borrow_mut().push_back(Ok(awaiting(NextAction::ShowCode { redirect_data: rd.clone() })));
        fake.status.borrow_mut().extend([
            Ok(awaiting(NextAction::ShowCode { redirect_data: rd })),
            Ok(PaymentView {
                status: Some(status.clone()),
                sum: Some(Sum { amount: MinorUnits(500_000), currency: "MYR".into() }),
                ..Default::default()
            }),
        ]);
        let p = params("MYR", 500_000);
        set(&p, "force_payment_method", "epaycash");
        let box_ = container();
        let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
        let root = shadow(&host_in(&box_));
        until("result", || screen(&root) == "result").await;
        assert_eq!(text_of(&root, "h2"), heading);
        if status == PaymentStatus::Expired {
            assert!(text(&root).contains(t(Lang::En, Key::ExpiredBody)));
        }
        h.destroy();
        box_.remove();
    }
}

#[wasm_bindgen_test]
async fn a_code_without_a_reference_number_is_an_error_naming_the_field() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(epay_open()));
    let mut rd = seed_code(600);
    rd.body.0.retain(|(k, _)| k != "reference_number");
    fake.pay.borrow_mut().push_back(Ok(awaiting(NextAction::ShowCode { redirect_data: rd })));
    let on_error = Recorder::new();
    let p = params("MYR", 500_000);
    set(&p, "force_payment_method", "epaycash");
    set(&p, "onError", on_error.function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("error", || screen(&root) == "error").await;
    assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some("redirect_data.body.reference_number"));
    assert!(text(&root).contains("redirect_data.body.reference_number"));
    sleep(60).await;
    assert_eq!(fake.count("status"), 0, "no polling for a code that cannot be shown");
    h.destroy();
    box_.remove();
}

// ------------------------------------------------------------------ showCode

fn code_options(extra: &[(&str, JsValue)]) -> JsValue {
    object(extra)
}

fn show(target: &Element, rd: &JsValue, options: &JsValue) -> epay_widget::WidgetHandle {
    epay_widget::show_code(target.into(), rd.clone(), options.clone()).unwrap_or_else(|e| panic!("showCode: {e}"))
}

#[wasm_bindgen_test]
async fn the_countdown_ticks_and_the_code_expires_by_itself_with_one_announcement() {
    let on_expire = Recorder::new();
    let box_ = container();
    let opts = code_options(&[("onExpire", on_expire.function().into())]);
    let h = show(&box_, &redirect_data_to_js(&seed_code(3)), &opts);
    let root = shadow(&host_in(&box_));
    assert_eq!(screen(&root), "code");
    assert_eq!(scan_qr(&q(&root, "svg[data-testid=qr]").unwrap()), REFERENCE);
    let timer = q(&root, "[role=timer]").unwrap();
    // Sample what the timer shows and what the live region says, every 20 ms.
    let (mut shown, mut said) = (vec![timer.text_content().unwrap()], vec![live(&root)]);
    for _ in 0..250 {
        sleep(20).await;
        let (a, b) = (timer.text_content().unwrap(), live(&root));
        if shown.last() != Some(&a) {
            shown.push(a);
        }
        if said.last() != Some(&b) {
            said.push(b);
        }
        if q(&root, ".epay-codebox[data-expired]").is_some() && on_expire.count() > 0 {
            break;
        }
    }
    assert!(shown.len() >= 3, "the timer ticks every second: {shown:?}");
    assert!(shown[0].starts_with("Time left: 0:0"), "{shown:?}");
    assert_eq!(shown.last().map(String::as_str), Some(t(Lang::En, Key::CodeExpired)), "{shown:?}");
    // Screen readers hear the heading, then the expiry: not every second.
    assert_eq!(said, vec![t(Lang::En, Key::CodeTitle).to_string(), t(Lang::En, Key::CodeExpired).to_string()]);
    assert!(q(&root, ".epay-codebox[data-expired]").is_some());
    let qr = q(&root, "svg[data-testid=qr]").unwrap();
    assert_eq!(qr.get_bounding_client_rect().width(), 0.0, "the QR code of an expired code is hidden");
    assert_eq!(on_expire.count(), 1);
    assert_eq!(get(&get(&on_expire.last(), "body"), "reference_number").as_string().as_deref(), Some(REFERENCE));
    sleep(1200).await;
    assert_eq!(on_expire.count(), 1, "once");
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn the_countdown_is_announced_at_the_one_minute_mark_only() {
    let box_ = container();
    let h = show(&box_, &redirect_data_to_js(&seed_code(62)), &JsValue::UNDEFINED);
    let root = shadow(&host_in(&box_));
    let timer = q(&root, "[role=timer]").unwrap();
    let mut said = vec![live(&root)];
    let mut ticks = 0;
    let mut last = timer.text_content().unwrap();
    for _ in 0..200 {
        sleep(20).await;
        let now = timer.text_content().unwrap();
        if now != last {
            ticks += 1;
            last = now;
        }
        let l = live(&root);
        if said.last() != Some(&l) {
            said.push(l);
        }
    }
    assert!(ticks >= 3, "{ticks} ticks in 4 s");
    assert_eq!(said, vec!["Pay cash with this code".to_string(), "Time left: 1:00".to_string()]);
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn show_code_renders_from_redirect_data_alone_in_the_language_asked_with_the_amount() {
    let box_ = container();
    box_.set_id("gate-code");
    let opts = code_options(&[("language_code", "ms".into()), ("payment_amount", 500_000.into()), ("payment_currency", "MYR".into())]);
    let h = epay_widget::show_code("#gate-code".into(), redirect_data_to_js(&seed_code(1800)), opts).unwrap();
    let root = shadow(&host_in(&box_));
    assert_eq!(text_of(&root, "h2"), t(Lang::Ms, Key::CodeTitle));
    assert_eq!(q(&root, ".epay").unwrap().get_attribute("lang").as_deref(), Some("ms-MY"));
    assert!(text(&root).contains("5,000.00"), "{}", text(&root));
    assert_eq!(text_of(&root, "[data-testid=reference-number]"), REFERENCE);
    assert_eq!(scan_barcode(&q(&root, "svg[data-testid=barcode]").unwrap()), REFERENCE);
    assert!(text_of(&root, "[role=timer]").starts_with(&t(Lang::Ms, Key::CodeExpiresIn).replace("{time}", "")));
    assert!(text(&root).contains("wang tunai sebanyak RM"), "step 3 names the amount: {}", text(&root));
    h.destroy();
    assert!(box_.first_child().is_none());
    box_.remove();
}

#[wasm_bindgen_test]
async fn show_code_without_an_amount_has_whole_instructions() {
    let box_ = container();
    let h = show(&box_, &redirect_data_to_js(&seed_code(600)), &JsValue::UNDEFINED);
    let root = shadow(&host_in(&box_));
    let steps: Vec<String> = qa(&root, "ol.epay-steps li").iter().map(|li| li.text_content().unwrap_or_default()).collect();
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[2], t(Lang::En, Key::CodeStep3NoAmount), "no amount to name: the step points at the terminal");
    for s in &steps {
        assert!(!s.contains('{') && !s.contains(" .") && !s.trim_end().ends_with("for ."), "a whole sentence: {s:?}");
    }
    assert!(q(&root, ".epay-amount").is_none(), "no empty amount in the summary");
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn show_code_with_bad_redirect_data_renders_an_error_naming_the_field() {
    let mut no_ref = seed_code(60);
    no_ref.body.0.retain(|(k, _)| k != "reference_number");
    let mut bad_time = seed_code(60);
    bad_time.body.0[1].1 = "tomorrow at noon".into();
    let mut post = seed_code(60);
    post.method = HttpMethod::Post;
    let cases: Vec<(JsValue, &str)> = vec![
        (redirect_data_to_js(&no_ref), "redirect_data.body.reference_number"),
        (redirect_data_to_js(&bad_time), "redirect_data.body.valid_time"),
        (redirect_data_to_js(&post), "redirect_data.method"),
        ("045-050-000".into(), "redirect_data"),
    ];
    for (rd, param) in cases {
        let on_error = Recorder::new();
        let box_ = container();
        let h = show(&box_, &rd, &code_options(&[("onError", on_error.function().into())]));
        let root = shadow(&host_in(&box_));
        assert_eq!(screen(&root), "error", "{param}");
        assert!(text(&root).contains(param), "{param}: {}", text(&root));
        assert_eq!(on_error.count(), 1);
        assert_eq!(get(&on_error.last(), "code").as_string().as_deref(), Some("bad_redirect"));
        assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some(param));
        assert!(q(&root, "svg").is_none(), "no code drawn");
        h.destroy();
        box_.remove();
    }
    // Programming mistakes throw.
    let err = epay_widget::show_code(JsValue::UNDEFINED, redirect_data_to_js(&seed_code(60)), JsValue::UNDEFINED).err().unwrap();
    assert_eq!((err.code.as_str(), err.param.as_deref()), ("invalid_argument", Some("target")));
    let box_ = container();
    let err =
        epay_widget::show_code(box_.clone().into(), redirect_data_to_js(&seed_code(60)), object(&[("payment_amount", "lots".into())]))
            .err()
            .unwrap();
    assert_eq!(err.param.as_deref(), Some("options.payment_amount"));
    assert_eq!(box_.child_element_count(), 0);
    box_.remove();
}

#[wasm_bindgen_test]
async fn destroy_stops_the_countdown_nothing_changes_afterwards() {
    let box_ = container();
    let h = show(&box_, &redirect_data_to_js(&seed_code(600)), &JsValue::UNDEFINED);
    let root = shadow(&host_in(&box_));
    let timer = q(&root, "[role=timer]").unwrap();
    let first = timer.text_content().unwrap();
    within(2500, "a tick", || timer.text_content().unwrap() != first).await;
    h.destroy();
    assert!(box_.first_child().is_none());
    assert_eq!(epay_widget::controller::live_count(), 0);
    let after = timer.text_content().unwrap();
    sleep(2300).await;
    assert_eq!(timer.text_content().unwrap(), after, "the interval was cleared");
    box_.remove();
}

#[wasm_bindgen_test]
async fn copy_writes_the_number_to_the_clipboard_and_says_copied_else_selects_it() {
    let nav = web_sys::window().unwrap().navigator();
    let box_ = container();
    let h = show(&box_, &redirect_data_to_js(&seed_code(600)), &JsValue::UNDEFINED);
    let root = shadow(&host_in(&box_));
    let define = js_sys::Function::new_with_args("v", "Object.defineProperty(navigator, 'clipboard', { value: v, configurable: true })");
    let fake = js_sys::Function::new_no_args("return { writeText(t) { window.__epayCopied = t; return Promise.resolve(); } }")
        .call0(&JsValue::NULL)
        .unwrap();
    define.call1(&JsValue::NULL, &fake).unwrap();
    click(&q(&root, "button[data-action=copy]").unwrap());
    within(1000, "copied", || live(&root) == "Copied").await;
    assert_eq!(get(&js_sys::global(), "__epayCopied").as_string().as_deref(), Some(REFERENCE));
    assert_eq!(text_of(&root, "button[data-action=copy]"), "Copied");
    // No clipboard API (an http page): the number is selected for copying by hand.
    define.call1(&JsValue::NULL, &JsValue::UNDEFINED).unwrap();
    click(&q(&root, "button[data-action=copy]").unwrap());
    let sel = web_sys::window().unwrap().get_selection().unwrap().unwrap();
    assert_eq!(String::from(sel.to_string()), REFERENCE);
    js_sys::Reflect::delete_property(&nav, &"clipboard".into()).unwrap();
    sel.remove_all_ranges().unwrap();
    h.destroy();
    box_.remove();
}

// ------------------------------------------------------------------ PayDala terminal

#[wasm_bindgen_test]
async fn the_terminal_screen_shows_service_account_and_a_qr_of_the_account_then_the_deposit() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KZT", 150_000, Default::default(), Some(MethodCode::Paydala))));
    let terminal = PaymentView {
        status: Some(PaymentStatus::AwaitingCustomer),
        method: Some(MethodCode::Paydala),
        action: Some(NextAction::Terminal { account: "7123456789".into(), service_name: "Demo Shop KZ".into() }),
        ..Default::default()
    };
    fake.pay.borrow_mut().push_back(Ok(terminal.clone()));
    fake.status.borrow_mut().push_back(Ok(terminal));
    let p = params("KZT", 150_000);
    set(&p, "force_payment_method", "paydala");
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("terminal screen", || screen(&root) == "terminal").await;
    assert_eq!(text_of(&root, "h2"), t(Lang::En, Key::TerminalTitle));
    assert_eq!(text_of(&root, "[data-testid=service-name]"), "Demo Shop KZ");
    assert_eq!(text_of(&root, "[data-testid=account-number]"), "7123456789");
    assert!(q(&root, "button[data-action=copy]").is_some());
    let qr = q(&root, "svg[data-testid=qr]").unwrap();
    assert_eq!(qr.get_attribute("aria-label").as_deref(), Some(t(Lang::En, Key::AccountQrLabel)));
    assert_eq!(scan_qr(&qr), "7123456789");
    let steps: Vec<String> = qa(&root, "ol.epay-steps li").iter().map(|li| li.text_content().unwrap()).collect();
    assert_eq!(steps.len(), 4);
    assert!(steps[0].contains("“Demo Shop KZ”"), "{steps:?}");
    assert!(steps[1].contains("7123456789"), "{steps:?}");
    assert!(text(&root).contains(t(Lang::En, Key::TerminalWaiting)));
    assert!(q(&root, "svg[data-testid=barcode]").is_none(), "the account needs no barcode");

    fake.status.borrow_mut().push_back(Ok(PaymentView {
        status: Some(PaymentStatus::Success),
        method: Some(MethodCode::Paydala),
        sum: Some(Sum { amount: MinorUnits(250_000), currency: "KZT".into() }),
        ..Default::default()
    }));
    until("result", || screen(&root) == "result").await;
    let body = text_of(&root, ".epay-body[data-status=success] .epay-text");
    assert!(body.starts_with("Deposit of ") && body.contains("2,500.00") && body.ends_with(" received"), "{body}");
    h.destroy();
    box_.remove();
}

// ------------------------------------------------------------------ followRedirect

fn capture() -> (Rc<RefCell<Vec<HtmlFormElement>>>, NavigateHook) {
    let forms = Rc::new(RefCell::new(vec![]));
    let f = forms.clone();
    (forms, Rc::new(move |form: &HtmlFormElement| f.borrow_mut().push(form.clone())))
}

fn inputs(form: &HtmlFormElement) -> Vec<(String, String, String)> {
    let list = form.query_selector_all("input").unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into::<HtmlInputElement>())
        .map(|i| (i.type_(), i.name(), i.value()))
        .collect()
}

#[wasm_bindgen_test]
fn follow_redirect_submits_a_post_form_with_the_body_as_hidden_fields() {
    let rd = js_sys::JSON::parse(
        r#"{"method":"POST","url":"https://payments.example.com/v3/ke","body":{"live":"0","oid":"112","ttl":900,"ok":true,"q":"a\"b<c>"}}"#,
    )
    .unwrap();
    let (forms, hook) = capture();
    let _ = follow_redirect(&rd, &JsValue::UNDEFINED, Some(&hook)).unwrap();
    let form = forms.borrow()[0].clone();
    assert_eq!(form.method(), "post");
    assert_eq!(form.action(), "https://payments.example.com/v3/ke");
    assert_eq!(form.parent_element().unwrap().tag_name(), "BODY");
    let h = |n: &str, v: &str| ("hidden".to_string(), n.to_string(), v.to_string());
    assert_eq!(inputs(&form), vec![h("live", "0"), h("oid", "112"), h("ttl", "900"), h("ok", "1"), h("q", "a\"b<c>")]);
    form.remove();
}

/// Follows a GET `redirect_data` to `path` on the test server for real, into a frame (a
/// loopback http page may redirect to loopback http); `submit` sends the built form.
/// Returns the query the browser built.
async fn followed_query(path: &str, body: Vec<(&str, &str)>, submit: fn(&HtmlFormElement)) -> String {
    let d = doc();
    let frame = d.create_element("iframe").unwrap();
    frame.set_attribute("name", "epay-follow-frame").unwrap();
    d.body().unwrap().append_child(&frame).unwrap();
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let rd = redirect_data_to_js(&RedirectData {
        method: HttpMethod::Get,
        url: format!("{origin}{path}"),
        body: FormBody(body.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
    });
    let hook: NavigateHook = Rc::new(move |form: &HtmlFormElement| {
        // An attribute: a body field named `target` would shadow the property.
        form.set_attribute("target", "epay-follow-frame").unwrap();
        submit(form);
    });
    let _ = follow_redirect(&rd, &JsValue::UNDEFINED, Some(&hook)).unwrap();
    let win = frame.unchecked_ref::<web_sys::HtmlIFrameElement>().content_window().unwrap();
    within(3000, "the frame to navigate", || win.location().pathname().is_ok_and(|p| p == path)).await;
    let query = win.location().search().unwrap();
    frame.remove();
    for f in qa_doc("form[data-epay-redirect]") {
        f.remove();
    }
    query
}

#[wasm_bindgen_test]
async fn follow_redirect_get_puts_the_body_in_the_query() {
    let body = vec![("reference_number", "045-050-000"), ("user_name", "THANAPAT JISAMANYA")];
    let query = followed_query("/epay-landing", body, |form| form.submit().unwrap()).await;
    assert_eq!(query, "?reference_number=045-050-000&user_name=THANAPAT+JISAMANYA");
}

#[wasm_bindgen_test]
async fn a_body_field_named_like_a_form_method_cannot_stop_the_redirect() {
    // An input named `submit` shadows `form.submit`; the widget calls the prototype's.
    let body = vec![("submit", "1"), ("action", "x"), ("target", "_top")];
    let query = followed_query("/epay-clobbered", body, |form| {
        assert!(form.submit().is_err(), "the plain call hits the input, not the method");
        epay_widget::redirect::submit_form(form).unwrap();
    })
    .await;
    assert_eq!(query, "?submit=1&action=x&target=_top");
}

fn qa_doc(sel: &str) -> Vec<Element> {
    let list = doc().query_selector_all(sel).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.unchecked_into()).collect()
}

#[wasm_bindgen_test]
fn follow_redirect_refuses_what_it_must_not_follow_and_builds_nothing() {
    let (forms, hook) = capture();
    let before = qa_doc("form").len();
    let refused = [
        (r#"{"method":"POST","url":"javascript:alert(1)","body":{}}"#, "redirect_data.url"),
        (r#"{"method":"POST","url":"data:text/html,<script>alert(1)</script>","body":{}}"#, "redirect_data.url"),
        (r#"{"method":"POST","url":"http://evil.example/pay","body":{}}"#, "redirect_data.url"),
        (r#"{"method":"PUT","url":"https://x.example/","body":{}}"#, "redirect_data.method"),
        (r#"{"method":"POST","body":{}}"#, "redirect_data.url"),
        (r#"{"method":"POST","url":"https://x.example/","body":{"card":{"pan":"4111"}}}"#, "redirect_data.body.card"),
        (r#""https://x.example/""#, "redirect_data"),
    ];
    for (json, param) in refused {
        let rd = js_sys::JSON::parse(json).unwrap();
        let err = follow_redirect(&rd, &JsValue::UNDEFINED, Some(&hook)).err().unwrap_or_else(|| panic!("{json} refused"));
        assert_eq!((err.code.as_str(), err.param.as_deref()), ("bad_redirect", Some(param)), "{json}");
        assert!(err.message.starts_with(param), "{}", err.message);
        let js: JsValue = err.into();
        assert!(js.is_instance_of::<js_sys::Error>());
        assert_eq!(get(&js, "code").as_string().as_deref(), Some("bad_redirect"));
    }
    assert!(forms.borrow().is_empty(), "nothing navigates");
    assert_eq!(qa_doc("form").len(), before, "no form left behind");
    let bad_option = follow_redirect(
        &js_sys::JSON::parse(r#"{"method":"GET","url":"https://x.example/"}"#).unwrap(),
        &object(&[("sandbox", "yes".into())]),
        Some(&hook),
    );
    assert_eq!(bad_option.err().unwrap().param.as_deref(), Some("options.sandbox"));
}

#[wasm_bindgen_test]
fn loopback_http_is_followed_only_in_sandbox_mode_or_from_a_loopback_page() {
    use epay_widget::redirect::redirect_policy;
    let local = "http://127.0.0.1:8787/sim/partner/pay";
    let check = |sandbox: bool, page: &str| epay_widget::redirect::check_url(local, redirect_policy(sandbox, page));
    assert!(check(false, "https://shop.example").is_err(), "a live shop page does not go to loopback http");
    assert!(check(true, "https://shop.example").is_ok(), "options.sandbox");
    assert!(check(false, "http://localhost:3000").is_ok(), "a page served from loopback");
    assert!(epay_widget::redirect::check_url("http://evil.example/", redirect_policy(true, "http://127.0.0.1:1")).is_err());
    // This test page is served from loopback, so the rule lets the sandbox URL through.
    let (forms, hook) = capture();
    let rd = js_sys::JSON::parse(r#"{"method":"POST","url":"http://127.0.0.1:8787/sim/partner/pay","body":{"oid":"1"}}"#).unwrap();
    let _ = follow_redirect(&rd, &JsValue::UNDEFINED, Some(&hook)).unwrap();
    assert_eq!(forms.borrow().len(), 1);
    forms.borrow()[0].remove();
}
