// The redirect rule's hard cases, shared by the core's tests (`core/src/redirect.rs`, its
// grammar) and the widget's browser tests (`tests/url_rules.rs`, the browser's `URL`): both
// must answer the same. Not a module: `include!`d by the two.

/// URLs a browser's URL parser refuses (issue 13 item 9: the form went to `about:blank#blocked`).
pub const URLS_THE_BROWSER_CANNOT_PARSE: &[&str] = &[
    "https://[1:2]/",
    "https://x.example:99999/",
    "http://[::1]evil.example/",
    "https://x.example:65536/",
    "https://x.example:-1/",
    "https://x.example:8a/",
    "https://x.example:1:2/",
    "https://[::1/",
    "https://[]/",
    "https://[:::1]/",
    "https://[1::2::3]/",
    "https://[1:2:3:4:5:6:7:8:9]/",
    "https://[12345::]/",
    "https://[g::1]/",
    "https://[::1.2.3]/",
    "https://[::1.2.3.256]/",
    "https://[1:2:3:4:5:6:7::1.2.3.4]/",
    "https://[::1]:x/",
    "https://[::1]x/",
    "https://1.2.3.256/",
    "https://1.2.3.4.5/",
    "https://999999999999/",
    "https://x.09/",
    "https://x.example%2f/",
    "https://x<y.example/",
    "https://x^y.example/",
    "https://x|y.example/",
    "https://user@/",
    "https://:443/",
];

/// URLs the browser parses that the rule refuses: user info (credentials, or a URL that
/// reads as another host).
pub const URLS_WITH_USER_INFO: &[&str] = &["https://user:pw@x.example/", "https://platform.example@evil.example/", "https://@x.example/", "http://u@127.0.0.1/"];

/// URLs the browser parses that the rule follows (in sandbox mode).
pub const URLS_THE_BROWSER_PARSES: &[&str] = &[
    "https://x.example:443/",
    "https://x.example:/",
    "https://x.example:0/",
    "https://x.example:65535/pay?a=b#c",
    "https://[2001:db8::1]/",
    "https://[::ffff:192.0.2.1]:8443/",
    "https://[1:2:3:4:5:6:7:8]/",
    "https://[::]/",
    "https://192.0.2.1/",
    "https://0x7f.1/",
    "https://x-y.example./",
    "https://x.example?q",
    "https://x.example#f",
    "http://[::1]:8080/sim",
    "http://127.0.0.1:8787/sim/partner",
];
