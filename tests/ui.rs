//! Look and accessibility in a real browser: language, theme, styles, focus, phone width.
#![cfg(target_arch = "wasm32")]

mod support;

use epay_core::catalog::CustomerField;
use epay_core::params::CustomerData;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn language_code_picks_the_language() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KZT", 100_000, CustomerData::default(), None)));
    let p = params("KZT", 100_000);
    set(&p, "language_code", "ru");
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    let heading = q(&root, "h2").unwrap().text_content().unwrap();
    assert_eq!(heading, epay_core::i18n::t(epay_core::i18n::Lang::Ru, epay_core::i18n::Key::ChooseMethod));
    assert_eq!(q(&root, ".epay").unwrap().get_attribute("lang").as_deref(), Some("ru-RU"));
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn styles_live_in_the_shadow_root_and_the_theme_option_is_applied() {
    let fake = Fake::new();
    let box_ = container();
    let opts = options_in(&box_);
    set(&opts, "theme", "dark");
    let h = mount(&params("KES", 10_000), &opts, &fake, &Captured::default());
    let host = host_in(&box_);
    assert_eq!(host.get_attribute("data-theme").as_deref(), Some("dark"));
    let root = shadow(&host);
    let adopted = js_sys::Reflect::get(&root, &"adoptedStyleSheets".into()).unwrap();
    let adopted: js_sys::Array = adopted.unchecked_into();
    assert_eq!(adopted.length(), 1, "constructable stylesheet");
    assert!(qa(&root, "style").is_empty());
    // Nothing leaks into the page: the page has no rule of ours.
    assert!(doc().query_selector("style").unwrap().map_or(true, |s| !s.text_content().unwrap_or_default().contains("epay-card")));
    // The dark theme's background is dark.
    let card = q(&root, ".epay-card").unwrap();
    let bg = web_sys::window().unwrap().get_computed_style(&card).unwrap().unwrap().get_property_value("background-color").unwrap();
    assert_eq!(bg, "rgb(21, 24, 30)");
    let bad = options_in(&box_);
    set(&bad, "theme", "purple");
    let t: std::rc::Rc<dyn epay_widget::api::Transport> = fake.clone();
    let err = epay_widget::mount_with(&params("KES", 10_000), &bad, t, Default::default()).err().unwrap();
    assert_eq!(err.param.as_deref(), Some("options.theme"));
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn focus_moves_to_the_new_screen_heading_after_a_choice() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let box_ = container();
    let h = mount(&params("KES", 10_000), &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    // Inline: loading the first screen does not steal the page's focus.
    assert!(root.active_element().is_none());
    click(&q(&root, "button[data-method]").unwrap());
    assert_eq!(screen(&root), "fields");
    let active = root.active_element().expect("focus inside the widget");
    assert_eq!(active.tag_name(), "H2");
    assert_eq!(active.get_attribute("tabindex").as_deref(), Some("-1"));
    let live = q(&root, "[role=status][aria-live=polite]").unwrap();
    assert_eq!(live.text_content().unwrap(), "Your details");
    // Back returns to the picker (no forced method).
    click(&qa(&root, "button").into_iter().find(|b| b.text_content().unwrap() == "Back").unwrap());
    assert_eq!(screen(&root), "picker");
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn fits_a_360_px_phone_with_44_px_tap_targets() {
    let fake = Fake::new();
    let known = customer(&[(CustomerField::FirstName, "Putra")]);
    *fake.open.borrow_mut() = Some(Ok(opened("MYR", 500_000, known, None)));
    let box_ = container();
    let style = box_.unchecked_ref::<HtmlElement>().style();
    style.set_property("width", "360px").unwrap();
    let h = mount(&params("MYR", 500_000), &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    click(&q(&root, "button[data-method]").unwrap());
    assert_eq!(screen(&root), "fields");
    let card = q(&root, ".epay-card").unwrap();
    assert!(card.scroll_width() <= card.client_width(), "no horizontal overflow: {} > {}", card.scroll_width(), card.client_width());
    assert!(host_in(&box_).get_bounding_client_rect().width() <= 360.5);
    for el in qa(&root, "button, input") {
        let r = el.get_bounding_client_rect();
        assert!(r.height() >= 44.0, "{} is {} px high", el.outer_html(), r.height());
    }
    h.destroy();
    box_.remove();
}
