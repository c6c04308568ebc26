//! `followRedirect` and the redirect form: submitting `redirect_data` to the partner, and
//! watching whether the browser really left (a CSP `form-action` or a sandboxed frame can
//! refuse silently). The checkout's own redirect (card partner) uses the same form and
//! watch through the controller.
//!
//! The URL rules themselves are the core's (`epay_core::redirect::check_url_with`, documented
//! there and in the README's "Which redirect URLs are followed"); here the URL grammar is the
//! browser's own `URL` parser ([`browser_parses`], issue 26: the core's grammar is not in the
//! wasm) and which policy applies.

use crate::browser::browser;
use crate::error::Error;
use crate::interop;
use crate::view::dom::{Listener, Timeout};
use epay_core::flow::WidgetError;
use epay_core::redirect::{check_url_with, is_loopback_host, written, RedirectError, Written};
use epay_core::{ErrorCode, RedirectData, UrlPolicy};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlFormElement};

/// The URL grammar under the core's redirect rules (`epay_core::redirect::UrlParser`): the
/// browser's `new URL(url)`. What the rules check on the text (`written`: whitespace,
/// backslashes, `//`, the host's characters) and the rules themselves stay the core's.
pub fn browser_parses(_: &Written<'_>, url: &str) -> Result<(), RedirectError> {
    match web_sys::Url::new(url) {
        Ok(_) => Ok(()),
        Err(_) => Err(RedirectError::Malformed("the browser cannot parse it".into())),
    }
}

/// An absolute URL split as the redirect rules read it, and parsed by the browser.
pub fn parse_url(url: &str) -> Result<Written<'_>, RedirectError> {
    let w = written(url)?;
    browser_parses(&w, url)?;
    Ok(w)
}

/// `url` may be navigated to under `policy`: the core's rules, the browser's URL parser.
pub fn check_url(url: &str, policy: UrlPolicy) -> Result<(), RedirectError> {
    check_url_with(url, policy, browser_parses)
}

/// Sandbox mode (plain http redirects to loopback) only when the platform itself is
/// reached over http on a loopback host.
pub fn url_policy(base_url: &str) -> UrlPolicy {
    let allow = matches!(parse_url(base_url), Ok(w) if w.scheme == "http" && is_loopback_host(&w.host));
    UrlPolicy { allow_loopback_http: allow }
}

/// Receives the built redirect form instead of it being submitted (tests).
pub type NavigateHook = Rc<dyn Fn(&HtmlFormElement)>;

/// The redirect form: one hidden input per body pair; for GET the browser puts them in
/// the query (replacing any query of `url`, as browsers do for GET forms). Appended to
/// `document.body`, outside the shadow root.
pub fn build_form(doc: &Document, rd: &RedirectData) -> Option<HtmlFormElement> {
    let form: HtmlFormElement = doc.create_element("form").ok()?.dyn_into().ok()?;
    form.set_method(rd.method.as_str());
    form.set_action(&rd.url);
    let _ = form.set_attribute("data-epay-redirect", "");
    form.set_hidden(true);
    for (k, v) in &rd.body.0 {
        let input: web_sys::HtmlInputElement = doc.create_element("input").ok()?.dyn_into().ok()?;
        input.set_type("hidden");
        input.set_name(k);
        input.set_value(v);
        let _ = form.append_child(&input);
    }
    doc.body()?.append_child(&form).ok()?;
    Some(form)
}

/// `followRedirect`'s URL rule: loopback http only with `options.sandbox`, or from a page
/// that is itself served over http from a loopback host (the sandbox's own pages).
pub fn redirect_policy(sandbox: bool, page_origin: &str) -> UrlPolicy {
    UrlPolicy { allow_loopback_http: sandbox || url_policy(page_origin).allow_loopback_http }
}

/// `EPayWidget.followRedirect(redirect_data, options)` (Gate mode): checks `redirect_data`
/// and submits it as a hidden form — `method` to `url`, `body` as fields (for GET the
/// browser puts them in the query). `url` must pass the core's rules (`check_url_with`; the
/// README's "Which redirect URLs are followed") under [`redirect_policy`], with the browser's
/// own `URL` parser as the grammar ([`check_url`]). Anything refused throws a JS
/// `Error` with `code` `bad_redirect` and `param` naming the field
/// (`redirect_data.method`, `redirect_data.url`, `redirect_data.body.<key>`), and
/// nothing navigates. `navigate` replaces the submit (tests).
pub fn follow_redirect(redirect_data: &JsValue, options: &JsValue, navigate: Option<&NavigateHook>) -> Result<js_sys::Promise, Error> {
    let sandbox = interop::read_sandbox(options)?;
    let rd = interop::read_redirect_data(redirect_data)?;
    let (window, doc) = browser()?;
    // A URL the browser cannot parse would leave the customer on `about:blank#blocked`.
    check_url(&rd.url, redirect_policy(sandbox, &window.location().origin().unwrap_or_default())).map_err(|e| {
        let w = WidgetError::redirect(&e);
        Error { code: w.code, param: w.param, message: w.message }
    })?;
    let form = build_form(&doc, &rd)
        .ok_or_else(|| Error::new(ErrorCode::NoDocument, None, "followRedirect: the page has no body to hold the form"))?;
    if let Some(hook) = navigate {
        hook(&form);
        return Ok(js_sys::Promise::resolve(&JsValue::UNDEFINED));
    }
    // Settles when the browser starts leaving, or rejects with `redirect_failed` when it
    // refuses (see `NavigationWatch`): the watch lives in the promise's callbacks until then.
    let url = rd.url.clone();
    let keep: Rc<RefCell<Option<NavigationWatch>>> = Rc::default();
    let mut submitted = Ok(());
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, reject: js_sys::Function| {
        let (k1, k2) = (keep.clone(), keep.clone());
        let url = url.clone();
        let watch = NavigationWatch::new(
            &doc,
            Box::new(move || {
                let _ = resolve.call0(&JsValue::UNDEFINED);
                k1.borrow_mut().take();
            }),
            Box::new(move |why: String| {
                let e = WidgetError::redirect_failed(&url, &why);
                web_sys::console::warn_1(&JsValue::from_str(&["[epay-widget] redirect_failed: ", &e.message].concat()));
                let _ = reject.call1(&JsValue::UNDEFINED, &Error { code: e.code, param: e.param, message: e.message }.into());
                k2.borrow_mut().take();
            }),
        );
        *keep.borrow_mut() = watch;
        submitted = submit_form(&form);
    });
    submitted.map_err(|_| {
        Error::new(ErrorCode::RedirectFailed, Some("redirect_data.url"), "followRedirect: the browser refused to submit the form")
    })?;
    Ok(promise)
}

/// `HTMLFormElement.prototype.submit.call(form)`: a body field named `submit` (an input is
/// also a property of its form) cannot shadow the method and leave the customer stuck.
pub fn submit_form(form: &HtmlFormElement) -> Result<(), JsValue> {
    let class = js_sys::Reflect::get(&js_sys::global(), &"HTMLFormElement".into())?;
    let proto = js_sys::Reflect::get(&class, &"prototype".into())?;
    let submit: js_sys::Function = js_sys::Reflect::get(&proto, &"submit".into())?.dyn_into()?;
    submit.call0(form).map(|_| ())
}

/// How long the browser may take to start leaving the page after a redirect form is
/// submitted before the widget says it did not (a frame sandboxed without `allow-forms`
/// refuses silently). A Content-Security-Policy refusal is reported at once.
pub const REDIRECT_GRACE_MS: u32 = 3000;

/// After `beforeunload`, how long a Content-Security-Policy refusal may still arrive:
/// Chromium checks `form-action` once the navigation has started (after `beforeunload`).
pub const REDIRECT_SETTLE_MS: u32 = 1000;

/// Watches a submitted redirect form: the browser either leaves the page or refuses.
/// Leaving: `pagehide`, or `beforeunload` followed by no refusal for [`REDIRECT_SETTLE_MS`].
/// Refusing: a `securitypolicyviolation` for `form-action`, or neither event within
/// [`REDIRECT_GRACE_MS`]. Exactly one of `left` / `failed` runs, at most once; dropping the
/// watch stops it.
pub struct NavigationWatch {
    _listeners: [Listener; 3],
    _timer: Rc<RefCell<Option<Timeout>>>,
}

type Report = Rc<RefCell<Option<(Box<dyn FnOnce()>, Box<dyn FnOnce(String)>)>>>;

fn report_left(r: &Report) {
    if let Some((left, _)) = r.borrow_mut().take() {
        left();
    }
}

fn report_failed(r: &Report, why: String) {
    if let Some((_, failed)) = r.borrow_mut().take() {
        failed(why);
    }
}

impl NavigationWatch {
    pub fn new(doc: &Document, left: Box<dyn FnOnce()>, failed: Box<dyn FnOnce(String)>) -> Option<NavigationWatch> {
        let window = web_sys::window()?;
        let report: Report = Rc::new(RefCell::new(Some((left, failed))));
        let timer: Rc<RefCell<Option<Timeout>>> = Rc::default();
        let r = report.clone();
        let csp = Listener::new(doc, "securitypolicyviolation", move |ev| {
            let get = |k: &str| js_sys::Reflect::get(&ev, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
            let directive = get("effectiveDirective");
            if directive == "form-action" || get("violatedDirective").starts_with("form-action") {
                let policy = get("originalPolicy");
                let shown = if policy.is_empty() { directive } else { ["form-action in \"", &policy, "\""].concat() };
                report_failed(&r, ["the page's Content-Security-Policy refused it (", &shown, ")"].concat());
            }
        });
        let r = report.clone();
        let hide = Listener::new(&window, "pagehide", move |_| report_left(&r));
        let (r, t) = (report.clone(), Rc::downgrade(&timer));
        let started = Listener::new(&window, "beforeunload", move |_| {
            let r = r.clone();
            // Replacing the grace timer clears it; a refusal may still come meanwhile.
            if let Some(t) = t.upgrade() {
                *t.borrow_mut() = Some(Timeout::new(REDIRECT_SETTLE_MS, move || report_left(&r)));
            }
        });
        let r = report.clone();
        *timer.borrow_mut() = Some(Timeout::new(REDIRECT_GRACE_MS, move || {
            report_failed(&r, "the page did not start leaving within 3 s (a sandboxed frame without allow-forms?)".into());
        }));
        Some(NavigationWatch { _listeners: [csp, started, hide], _timer: timer })
    }
}
