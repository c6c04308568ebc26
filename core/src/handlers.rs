//! The merchant's event handlers: the function-valued keys of `run`'s parameters and options.

/// Names of the event handlers a merchant may pass in `params` or `options`.
pub const HANDLER_NAMES: [&str; 9] =
    ["onReady", "onMethodSelected", "onRedirect", "onCode", "onSuccess", "onDecline", "onError", "onClose", "onExpire"];

/// The console warning for a function-valued parameter that is no handler (`onSucess`):
/// it is never called, so say which handler was probably meant.
pub fn unknown_handler_warning(key: &str) -> String {
    let nearest = HANDLER_NAMES.iter().map(|n| (distance(&key.to_ascii_lowercase(), &n.to_ascii_lowercase()), *n)).min();
    let mut s = ["[epay-widget] params.", key, " is a function but no event handler: it will never be called."].concat();
    match nearest {
        Some((d, name)) if d <= 3 => s.extend([" Did you mean ", name, "?"]),
        _ => s.extend([" The handlers are ", &HANDLER_NAMES.join(", "), "."]),
    }
    s
}

/// Levenshtein distance over chars (handler names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    // Iterators, not indexing: no bounds-check panics in the wasm.
    for (i, ca) in a.chars().enumerate() {
        let Some((first, rest)) = row.split_first_mut() else { break };
        let (mut diag, mut left) = (*first, i + 1);
        *first = left;
        for (cb, cell) in b.iter().zip(rest.iter_mut()) {
            let up = *cell;
            *cell = (diag + usize::from(ca != *cb)).min(left + 1).min(up + 1);
            (diag, left) = (up, *cell);
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelled_handler_names_the_one_meant() {
        let w = unknown_handler_warning("onSucess");
        assert!(w.contains("params.onSucess") && w.ends_with("Did you mean onSuccess?"), "{w}");
        assert!(unknown_handler_warning("onerror").ends_with("Did you mean onError?"));
        assert!(unknown_handler_warning("on_decline").ends_with("Did you mean onDecline?"));
        let far = unknown_handler_warning("transform");
        assert!(far.contains("The handlers are onReady, onMethodSelected"), "{far}");
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "ab"), 2);
        assert_eq!(distance("onError", "onError"), 0);
    }
}
