//! What a value may be made of: character classes and small grammars,
//! with no state, shared by the plan's checks and the languages.

/// Healthcheck durations: BuildKit refuses anything under a millisecond
/// (except 0, "the default"); more than a day is a typo.
pub(crate) const MIN_DURATION_NS: u128 = 1_000_000;

pub(crate) const MAX_DURATION_NS: u128 = 24 * 3600 * 1_000_000_000;

/// Non-empty, and every character an ASCII letter, a digit or one of
/// `extra`.
pub(crate) fn made_of(value: &str, extra: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

/// Starts with an ASCII letter or digit.
pub(crate) fn starts_alphanumeric(value: &str) -> bool {
    value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A path relative to the build context that needs no quoting in `COPY`
/// and `RUN` and is no tool's option: no leading `/` or `-`, no `..`, only
/// letters, digits and `._/@+-`.
pub(crate) fn safe_relative(path: &str) -> bool {
    made_of(path, "._/@+-")
        && !path.starts_with(['/', '-'])
        && !path.split('/').any(|part| part == "..")
}

/// `<<` not part of `<<<` (a here-string, harmless on one line).
pub(crate) fn has_heredoc(step: &str) -> bool {
    let bytes = step.as_bytes();
    (0..bytes.len().saturating_sub(1)).any(|i| {
        bytes[i] == b'<'
            && bytes[i + 1] == b'<'
            && (i == 0 || bytes[i - 1] != b'<')
            && bytes.get(i + 2) != Some(&b'<')
    })
}

/// A duration in nanoseconds; `None` when it is not one (or overflows).
pub(crate) fn duration_ns(value: &str) -> Option<u128> {
    let mut rest = value;
    let mut total: u128 = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 20 {
            return None;
        }
        let number: u128 = rest[..digits].parse().ok()?;
        let after = &rest[digits..];
        let (unit, scale) = [
            ("ns", 1),
            ("us", 1_000),
            ("ms", 1_000_000),
            ("s", 1_000_000_000),
            ("m", 60_000_000_000),
            ("h", 3_600_000_000_000u128),
        ]
        .into_iter()
        .find(|(u, _)| after.starts_with(u) && !(*u == "m" && after.starts_with("ms")))?;
        total = total.checked_add(number.checked_mul(scale)?)?;
        rest = &after[unit.len()..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_detection_spares_here_strings() {
        assert!(has_heredoc("cat <<EOF"));
        assert!(has_heredoc("cat <<-'EOF' > x"));
        assert!(!has_heredoc("grep x <<< \"$y\""));
        assert!(!has_heredoc("make -j2"));
    }

    #[test]
    fn durations_in_nanoseconds() {
        assert_eq!(duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_ns("500ms"), Some(500_000_000));
        assert_eq!(duration_ns("1us"), Some(1_000));
        assert!(duration_ns("99999999999999999999h").unwrap() > MAX_DURATION_NS);
        assert_eq!(duration_ns("999999999999999999999h"), None);
        assert_eq!(duration_ns("5"), None);
        assert_eq!(duration_ns(""), None);
    }
}
