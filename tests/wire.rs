//! One wire contract, in the browser: each core type as the sandbox writes it (serde),
//! parsed by the browser's `JSON.parse` and read by the widget's decoder, is the same value.
#![cfg(target_arch = "wasm32")]

use epay_core::callback::{PaymentStatus, Sum};
use epay_core::catalog::{CustomerField, MethodCode};
use epay_core::params::{CustomerData, ParamError};
use epay_core::protocol::{ApiError, ApiErrorBody, MethodOffer, NextAction, OpenResponse, PaymentView};
use epay_core::redirect::{FormBody, HttpMethod, RedirectData};
use epay_core::wire::Decoded;
use epay_core::{ErrorCode, MinorUnits};
use epay_widget::interop::{decode_api_error, decode_open, decode_payment_view, decode_redirect_data};
use serde::Serialize;
use std::fmt::Debug;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn through_the_browser<T: Serialize + PartialEq + Debug>(x: &T, decode: fn(&JsValue) -> Decoded<T>) {
    let text = serde_json::to_string(x).unwrap();
    let parsed = js_sys::JSON::parse(&text).unwrap();
    let back = decode(&parsed).unwrap_or_else(|e| panic!("{}: {text}", e.message()));
    assert_eq!(&back, x, "{text}");
}

fn rd(method: HttpMethod, body: &[(&str, &str)]) -> RedirectData {
    RedirectData {
        method,
        url: "https://partner.example/pay?x=1".into(),
        body: FormBody(body.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
    }
}

fn views() -> Vec<PaymentView> {
    let code =
        rd(HttpMethod::Get, &[("reference_number", "045-050-000"), ("valid_time", "2019-06-15 14:17:26"), ("user_name", "Ĳ «ok» 💳")]);
    vec![
        PaymentView::default(),
        PaymentView {
            status: Some(PaymentStatus::AwaitingCustomer),
            method: Some(MethodCode::CardPartner),
            action: Some(NextAction::Redirect { redirect_data: rd(HttpMethod::Post, &[("hsh", "ab"), ("amount", "10.00")]) }),
            ..Default::default()
        },
        PaymentView {
            status: Some(PaymentStatus::AwaitingCustomer),
            method: Some(MethodCode::EpayCash),
            action: Some(NextAction::ShowCode { redirect_data: code }),
            ..Default::default()
        },
        PaymentView {
            method: Some(MethodCode::Paydala),
            action: Some(NextAction::Terminal { account: "7123456789".into(), service_name: "Shop".into() }),
            ..Default::default()
        },
        PaymentView {
            status: Some(PaymentStatus::Other("something new".into())),
            sum: Some(Sum { amount: MinorUnits(-9_007_199_254_740_991), currency: "KZT".into() }),
            code: Some("20000".into()),
            message: Some("General decline".into()),
            ..Default::default()
        },
    ]
}

#[wasm_bindgen_test]
fn payment_views_and_redirect_data_read_back_as_the_sandbox_wrote_them() {
    for v in views() {
        through_the_browser(&v, decode_payment_view);
        if let Some(NextAction::Redirect { redirect_data } | NextAction::ShowCode { redirect_data }) = &v.action {
            through_the_browser(redirect_data, decode_redirect_data);
        }
    }
}

#[wasm_bindgen_test]
fn open_answers_read_back_as_the_sandbox_wrote_them() {
    for (i, payment) in views().into_iter().enumerate() {
        let mut customer = CustomerData::default();
        customer.set(CustomerField::Email, Some("c@example.com".into()));
        let x = OpenResponse {
            session: format!("s{i}"),
            project_id: 250,
            payment_id: "X03936".into(),
            amount: MinorUnits(1_000_000),
            currency: "KES".into(),
            description: (i % 2 == 0).then(|| "Order <b>7</b>".into()),
            methods: MethodCode::ALL.into_iter().map(|code| MethodOffer { code, fields: CustomerField::ALL[..i % 4].to_vec() }).collect(),
            forced_method: MethodCode::ALL.get(i).copied(),
            customer,
            payment,
        };
        through_the_browser(&x, decode_open);
    }
}

#[wasm_bindgen_test]
fn every_error_code_reads_back_as_the_sandbox_wrote_it() {
    for &code in ErrorCode::ALL {
        let errors = if code == ErrorCode::InvalidParams {
            vec![ParamError::new("payment_amount", "integer", "must be a positive integer")]
        } else {
            vec![]
        };
        let x = ApiError { error: ApiErrorBody { code, param: Some("payment_amount".into()), message: "m".into(), errors } };
        through_the_browser(&x, decode_api_error);
    }
}
