//! epay-widget: the browser checkout. (Work in progress.)
