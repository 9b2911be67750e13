//! "Did you mean" suggestions for misspelt keys and values.

/// The closest candidate to `word`, if one is close enough to be a likely
/// typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), *candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// "did you mean `x`?" or, when nothing is close, the accepted list.
pub fn help(word: &str, candidates: &[&str]) -> String {
    match closest(word, candidates) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None if candidates.is_empty() => "this table takes no keys".into(),
        None => format!("accepted keys: {}", backticked(candidates)),
    }
}

/// `a`, `b`, `c`
pub fn backticked(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_closest_key() {
        assert_eq!(
            closest("portz", &["base", "ports", "packages"]),
            Some("ports")
        );
        assert_eq!(
            closest("entrypont", &["entrypoint", "cmd"]),
            Some("entrypoint")
        );
    }

    #[test]
    fn lists_keys_when_nothing_is_close() {
        assert_eq!(closest("zzz", &["base", "ports"]), None);
        assert_eq!(
            help("zzz", &["base", "ports"]),
            "accepted keys: `base`, `ports`"
        );
    }
}
