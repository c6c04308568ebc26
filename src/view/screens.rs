//! One function per screen. Each builds fresh elements (screens are small) and returns
//! the listeners it attached; the caller keeps them until the next render.

use super::builder::{Ctx, Rendered, ScreenBuilder};
use super::code_screen;
use super::dom::Listener;
use super::event::ViewEvent;
use super::model;
use epay_core::catalog::CustomerField;
use epay_core::flow::{Msg, Screen};
use epay_core::i18n::{t, tf, Key};
use epay_core::params::CustomerData;
use epay_core::protocol::PaymentView;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

pub fn render(ctx: &Ctx, screen: &Screen) -> Rendered {
    let mut b = ScreenBuilder::new(ctx);
    let kind = model::kind(screen);
    let body = b.el("div").class("epay-body").attr("data-screen", kind.as_str()).build();
    let heading = b.heading(t(ctx.lang, model::heading_key(kind, screen)));
    let _ = body.append_child(&heading);
    match screen {
        Screen::Loading => {
            let _ = body.append_child(&b.spinner());
        }
        #[cfg(not(feature = "picker"))]
        Screen::Error(e) => b.error(&body, e),
        Screen::Picker => picker(&mut b, &body),
        // The first module (feature `picker`) hands over before any screen below.
        #[cfg(feature = "picker")]
        _ => {}
        #[cfg(not(feature = "picker"))]
        Screen::Fields { fields, problems, busy, .. } => fields_form(&mut b, &body, fields, problems, *busy),
        #[cfg(not(feature = "picker"))]
        Screen::Redirecting { .. } => {
            let _ = body.append_child(&b.p("epay-text", b.t(Key::RedirectBody)));
            let _ = body.append_child(&b.spinner());
            let btn = b.button("epay-secondary", b.t(Key::RedirectButton), || ViewEvent::Resubmit);
            let _ = body.append_child(&btn);
        }
        #[cfg(not(feature = "picker"))]
        Screen::Code { redirect_data } => code_screen::code(&mut b, &body, redirect_data),
        #[cfg(not(feature = "picker"))]
        Screen::Terminal { account, service_name } => code_screen::terminal(&mut b, &body, account, service_name),
        #[cfg(not(feature = "picker"))]
        Screen::Waiting { stalled: false } => {
            let _ = body.append_child(&b.p("epay-text", b.t(Key::WaitingBody)));
            let _ = body.append_child(&b.spinner());
        }
        #[cfg(not(feature = "picker"))]
        Screen::Waiting { stalled: true } => {
            let _ = body.append_child(&b.p("epay-text", b.t(Key::StalledBody)));
            let btn = b.button("epay-primary", b.t(Key::CheckAgain), || ViewEvent::Msg(Msg::Retry));
            let _ = body.append_child(&btn);
        }
        #[cfg(not(feature = "picker"))]
        Screen::Result { view } => result(&mut b, &body, view),
    }

    let top = b.el("div").class("epay-top").child(b.el("span").class("epay-brand").text(b.t(Key::Title)));
    let top = if ctx.modal {
        let close = b.button("epay-close", "\u{00d7}", || ViewEvent::Close);
        let _ = close.set_attribute("aria-label", b.t(Key::Close));
        top.child(close)
    } else {
        top
    };
    let summary = b.el("p").class("epay-summary");
    let summary = match ctx.payment_id {
        Some(id) => summary.child(b.el("span").class("epay-order").text(&tf(ctx.lang, Key::Order, &[("id", id)]))),
        None => summary,
    };
    let summary = match &ctx.amount {
        Some(a) => summary.child(b.el("strong").class("epay-amount").text(a)),
        None => summary,
    };
    let root = b.el("div").class("epay-card").child(top).child(summary).child(body).build();
    b.finish(root)
}

fn picker(b: &mut ScreenBuilder, body: &Element) {
    let list = b.el("ul").class("epay-methods").build();
    for m in b.ctx.methods.iter().copied() {
        let (title, hint) = model::method_copy(m);
        let btn = b
            .el("button")
            .attr("type", "button")
            .class("epay-method")
            .attr("data-method", m.as_str())
            .attr_if(b.ctx.paying, "disabled", "")
            .child(b.el("span").class("epay-method-title").text(b.t(title)))
            .child(b.el("span").class("epay-method-hint").text(b.t(hint)));
        let send = b.ctx.send.clone();
        b.listeners.push(btn.on("click", move |_| send(ViewEvent::Msg(Msg::MethodChosen(m)))));
        let _ = list.append_child(&b.el("li").child(btn).build());
    }
    let _ = body.append_child(&list);
}

/// Reads the form's inputs by field name.
pub fn read_fields(form: &Element, fields: &[CustomerField]) -> CustomerData {
    let mut out = CustomerData::default();
    for f in fields {
        let sel = ["input[name=\"", f.param(), "\"]"].concat();
        if let Some(input) = form.query_selector(&sel).ok().flatten().and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
            out.set(*f, Some(input.value()));
        }
    }
    out
}

// The screens other than the picker are not inlined into `render`: the first screen's
// code is all V8 compiles before the picker is interactive (it compiles a wasm function at
// its first call, on the main thread).
#[inline(never)]
fn fields_form(
    b: &mut ScreenBuilder,
    body: &Element,
    fields: &[CustomerField],
    problems: &[(CustomerField, epay_core::catalog::FieldProblem)],
    busy: bool,
) {
    let _ = body.append_child(&b.p("epay-text", b.t(Key::FieldsIntro)));
    let form = b.el("form").class("epay-form").attr("novalidate", "").build();
    for f in fields {
        let spec = model::field_spec(*f);
        let problem = problems.iter().find(|(pf, _)| pf == f).map(|(_, p)| *p);
        let err_id = [spec.name, "-error"].concat();
        let input = b
            .el("input")
            .class("epay-input")
            .attr("id", spec.name)
            .attr("name", spec.name)
            .attr("type", spec.input_type)
            .attr("autocomplete", spec.autocomplete)
            .attr_if(spec.inputmode.is_some(), "inputmode", spec.inputmode.unwrap_or(""))
            .attr("required", "")
            .attr_if(busy, "readonly", "")
            .attr_if(problem.is_some(), "aria-invalid", "true")
            .attr_if(problem.is_some(), "aria-describedby", &err_id)
            .build();
        if let Some(input) = input.dyn_ref::<HtmlInputElement>() {
            input.set_value(b.ctx.draft.get(*f).unwrap_or(""));
            if problem.is_some() && b.first_invalid.is_none() {
                b.first_invalid = Some(input.clone().unchecked_into());
            }
        }
        let field = b
            .el("div")
            .class("epay-field")
            .child(b.el("label").attr("for", spec.name).text(b.t(spec.label)))
            .child(input)
            .child_opt(problem.map(|p| b.el("p").class("epay-field-error").attr("id", &err_id).text(b.t(model::problem_key(p)))));
        let _ = form.append_child(&field.build());
    }
    let pay_text = tf(b.ctx.lang, Key::PayAmount, &[("amount", &b.amount())]);
    let pay = b
        .el("button")
        .attr("type", "submit")
        .class("epay-primary")
        .attr_if(busy || b.ctx.paying, "disabled", "")
        .attr_if(busy, "aria-busy", "true")
        .text(pay_text.trim());
    let _ = form.append_child(&pay.build());
    if !b.ctx.forced {
        let back = b.button("epay-secondary", b.t(Key::Back), || ViewEvent::Msg(Msg::Back));
        if busy {
            let _ = back.set_attribute("disabled", "");
        }
        let _ = form.append_child(&back);
    }
    let send = b.ctx.send.clone();
    let fields = fields.to_vec();
    let form_el = form.clone();
    b.listeners.push(Listener::new(&form, "submit", move |ev| {
        ev.prevent_default();
        send(ViewEvent::Msg(Msg::FieldsSubmitted(read_fields(&form_el, &fields))));
    }));
    let _ = body.append_child(&form);
}

#[inline(never)]
fn result(b: &mut ScreenBuilder, body: &Element, view: &PaymentView) {
    let outcome = model::result_kind(view);
    let _ = body.set_attribute("data-status", outcome.as_str());
    let amount = (b.ctx.format)(view).unwrap_or_else(|| b.amount());
    let (_, text) = model::result_copy(outcome);
    let text = code_screen::result_text(view.method.or(b.ctx.method), outcome == model::ResultKind::Success, text);
    let icon = if matches!(outcome, model::ResultKind::Success | model::ResultKind::Refunded) { "\u{2713}" } else { "!" };
    let icon_el = b.el("div").class("epay-result-icon").attr("aria-hidden", "true").text(icon).build();
    let _ = body.insert_before(&icon_el, body.first_child().as_ref());
    let _ = body.append_child(&b.p("epay-text", &tf(b.ctx.lang, text, &[("amount", &amount)])));
    // The platform's own words for a decline ("General decline"), as text, in its language.
    if let Some(reason) = model::decline_reason(outcome, view) {
        let p = b
            .el("p")
            .class("epay-reason")
            .attr("data-testid", "decline-reason")
            .child(b.el("span").text(&[b.t(Key::DeclineReason), " "].concat()))
            .child(b.el("span").attr("lang", "en").text(reason));
        let _ = body.append_child(&p.build());
    }
    if b.ctx.modal {
        let btn = b.button("epay-primary", b.t(Key::Close), || ViewEvent::Close);
        let _ = body.append_child(&btn);
    }
}
