//! What the customer did, as the views report it to the controller: a leaf the screens
//! and the view share.

use epay_core::flow::Msg;
use std::rc::Rc;

/// What the customer did, as the controller sees it.
#[allow(clippy::large_enum_variant)] // short-lived, one at a time
pub enum ViewEvent {
    Msg(Msg),
    /// The close button or Escape (modal only).
    Close,
    /// "Continue to payment": submit the redirect form again.
    Resubmit,
    /// The EPay code's countdown reached zero (`onExpire`).
    Expired,
    /// The customer's language pack arrived (or will not): render.
    Texts,
}

pub type Send = Rc<dyn Fn(ViewEvent)>;
