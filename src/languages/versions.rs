//! Toolchain versions a project declares, and the ranges they are written
//! in: which supported release a range such as `>=18` (package.json) or
//! `>=3.11,<4` (requires-python) resolves to.

/// Releases considered, newest first; a range resolves to the language's
/// default when it allows it, else to the newest release it allows.
pub(crate) const NODE_MAJORS: [u32; 8] = [26, 25, 24, 23, 22, 21, 20, 18];
pub(crate) const PYTHON_MINORS: [u32; 6] = [14, 13, 12, 11, 10, 9];

/// The release of `candidates` (newest first) that `allows` accepts:
/// `default` when it does, else the newest.
pub(crate) fn choose(
    default: u32,
    candidates: &[u32],
    allows: impl Fn(u32) -> bool,
) -> Option<u32> {
    if allows(default) {
        return Some(default);
    }
    candidates.iter().copied().find(|c| allows(*c))
}

/// Whether an npm semver range (`>=18`, `^20.11`, `18 || 20`, `>=18 <21`,
/// `20.x`, `*`) admits some version of Node `major`.
pub(crate) fn npm_range_allows(range: &str, major: u32) -> bool {
    range.split("||").any(|set| {
        let words: Vec<&str> = set.split_whitespace().collect();
        if let [low, "-", high] = words.as_slice() {
            return leading(low).is_some_and(|l| l <= major)
                && leading(high).is_some_and(|h| major <= h);
        }
        words.iter().all(|word| comparator_allows(word, major))
    })
}

fn comparator_allows(word: &str, major: u32) -> bool {
    let (op, rest) = match word {
        w if w.starts_with(">=") => (">=", &w[2..]),
        w if w.starts_with("<=") => ("<=", &w[2..]),
        w if w.starts_with('>') => (">", &w[1..]),
        w if w.starts_with('<') => ("<", &w[1..]),
        w if w.starts_with('^') => ("^", &w[1..]),
        w if w.starts_with('~') => ("~", &w[1..]),
        w if w.starts_with('=') => ("=", &w[1..]),
        w => ("=", w),
    };
    let rest = rest.trim_start_matches('v');
    if rest.is_empty() || rest == "*" || rest == "x" || rest == "X" {
        return true;
    }
    let Some(target) = leading(rest) else {
        return false;
    };
    // Below the major: `<20.5` still admits 20.0–20.4; `<20` or `<20.0.0` does not.
    let beyond_major = rest
        .split('.')
        .skip(1)
        .any(|part| part.chars().any(|c| c.is_ascii_digit() && c != '0'));
    match op {
        ">=" => major >= target,
        ">" => major > target || (major == target && !is_major_only(rest)),
        "<=" => major <= target,
        "<" => major < target || (major == target && beyond_major),
        _ => major == target,
    }
}

fn is_major_only(version: &str) -> bool {
    version
        .split('.')
        .skip(1)
        .all(|part| matches!(part, "x" | "X" | "*"))
}

fn leading(version: &str) -> Option<u32> {
    let digits: String = version
        .trim_start_matches('v')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Whether PEP 440 specifiers (`>=3.11`, `~=3.10`, `>=3.9,<3.13`,
/// `==3.12.*`, `!=3.12.*`) admit some version of Python `3.minor`.
pub(crate) fn python_specifiers_allow(specifiers: &str, minor: u32) -> bool {
    specifiers.split(',').all(|spec| {
        let spec = spec.trim();
        let ops = ["~=", "==", "!=", ">=", "<=", ">", "<"];
        let Some(op) = ops.iter().find(|op| spec.starts_with(**op)) else {
            return spec.is_empty();
        };
        let version = spec[op.len()..].trim();
        let parts: Vec<&str> = version.split('.').collect();
        let (Some(Ok(3)), Some(target)) = (
            parts.first().map(|p| p.parse::<u32>()),
            parts.get(1).and_then(|p| p.parse::<u32>().ok()),
        ) else {
            // Only Python 3 is built here; `>=2.7` admits it, `<3` not.
            let major = parts
                .first()
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0);
            return match *op {
                ">=" | ">" => major < 3 || (major == 3 && parts.len() == 1),
                "<" | "<=" => major > 3 || (major == 3 && *op == "<="),
                "!=" => major != 3 || parts.len() > 1,
                _ => major == 3,
            };
        };
        let patch_beyond = parts.get(2).is_some_and(|p| *p != "0" && *p != "*");
        match *op {
            ">=" => minor >= target,
            ">" => {
                minor > target
                    || (minor == target && parts.len() > 2 && *parts.last().unwrap_or(&"") != "*")
            }
            "<=" => minor <= target,
            "<" => minor < target || (minor == target && patch_beyond),
            "~=" if parts.len() > 2 => minor == target,
            "~=" => minor >= target,
            "!=" => !(minor == target && (parts.len() == 2 || parts.get(2) == Some(&"*"))),
            _ => minor == target,
        }
    })
}

/// The version-like start of a constraint: `>=3.11,<4` → `3.11`,
/// `^18.2` → `18.2`, `1.22.3` → `1.22` (with `parts` = 2).
pub fn version_prefix(constraint: &str, parts: usize) -> Option<String> {
    let start = constraint.find(|c: char| c.is_ascii_digit())?;
    let version: String = constraint[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let kept: Vec<&str> = version
        .split('.')
        .filter(|p| !p.is_empty())
        .take(parts)
        .collect();
    (!kept.is_empty()).then(|| kept.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_ranges_by_major() {
        assert!(npm_range_allows(">=18", 22));
        assert!(npm_range_allows("^20.11.0", 20));
        assert!(!npm_range_allows("^20.11.0", 22));
        assert!(npm_range_allows("18 || 20", 20));
        assert!(!npm_range_allows(">=18 <21", 22));
        assert!(npm_range_allows(">=18 <20.5", 20));
        assert!(!npm_range_allows("<20", 20));
        assert!(npm_range_allows("20.x", 20));
        assert!(npm_range_allows("*", 24));
        assert!(npm_range_allows("18 - 20", 19));
        assert!(!npm_range_allows(">22", 22));
        assert!(npm_range_allows(">22.1", 22));
    }

    #[test]
    fn python_specifiers_by_minor() {
        assert!(python_specifiers_allow(">=3.11", 13));
        assert!(!python_specifiers_allow(">=3.11,<3.13", 13));
        assert!(python_specifiers_allow(">=3.11,<3.13", 12));
        assert!(python_specifiers_allow("~=3.10", 13));
        assert!(!python_specifiers_allow("~=3.10.2", 11));
        assert!(python_specifiers_allow("==3.12.*", 12));
        assert!(!python_specifiers_allow("!=3.13.*", 13));
        assert!(python_specifiers_allow(">=2.7", 13));
        assert!(!python_specifiers_allow("<3", 13));
        assert!(python_specifiers_allow("<3.13.1", 13));
    }

    #[test]
    fn the_default_wins_when_the_range_allows_it() {
        assert_eq!(
            choose(22, &NODE_MAJORS, |m| npm_range_allows(">=18", m)),
            Some(22)
        );
        assert_eq!(
            choose(22, &NODE_MAJORS, |m| npm_range_allows(">=23", m)),
            Some(26)
        );
        assert_eq!(
            choose(22, &NODE_MAJORS, |m| npm_range_allows("^20", m)),
            Some(20)
        );
        assert_eq!(
            choose(13, &PYTHON_MINORS, |m| python_specifiers_allow("<3.12", m)),
            Some(11)
        );
        assert_eq!(
            choose(22, &NODE_MAJORS, |m| npm_range_allows(">=99", m)),
            None
        );
    }

    #[test]
    fn version_prefixes() {
        assert_eq!(version_prefix(">=3.11,<4", 2).as_deref(), Some("3.11"));
        assert_eq!(version_prefix("1.22.3", 2).as_deref(), Some("1.22"));
        assert_eq!(version_prefix(">=18", 1).as_deref(), Some("18"));
        assert_eq!(version_prefix("*", 1), None);
    }
}
