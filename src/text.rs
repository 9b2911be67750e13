//! The one rule for characters in manifest text: what a Dockerfile, a
//! shell or a reader could see differently from what is written.
//!
//! BuildKit splits words on every Unicode space (Go's `unicode.IsSpace`),
//! editors and terminals break lines at U+2028/U+2029, and format
//! characters such as U+202E (right-to-left override) or U+200B (zero
//! width space) make a value read differently from what it does. The
//! manifest parser refuses them in every key and value, and the template
//! filters refuse them again, so no template can place one.

/// Why `c` is refused in manifest text, or `None` when it is fine.
pub fn refused(c: char) -> Option<&'static str> {
    if c.is_control() {
        Some("a control character")
    } else if c == '\u{2028}' || c == '\u{2029}' {
        Some("a line or paragraph separator")
    } else if c.is_whitespace() && c != ' ' {
        Some("a space other than the ASCII space")
    } else if invisible(c) {
        Some("an invisible or bidirectional formatting character")
    } else {
        None
    }
}

/// The first refused character of `text`, its byte offset and the reason.
pub fn first_refused(text: &str) -> Option<(usize, char, &'static str)> {
    text.char_indices()
        .find_map(|(at, c)| refused(c).map(|why| (at, c, why)))
}

/// `text` as a message may show it on a terminal: every character
/// [`refused`] names (an escape sequence, a line separator, a bidi
/// override read from a project file) as `<U+001B>`, line breaks kept.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, |c| c != '\n' && refused(c).is_some())
}

/// A value read from a file or a name found on disk, as a one-line
/// message shows it: as [`shown`], with line breaks too as `<U+000A>`, so a
/// file name or a value cannot start a line of its own in shipit's output
/// (`x\nnext: curl … | sh`).
pub fn shown_value(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, |c| refused(c).is_some())
}

/// `text` with the characters `escape` picks as `<U+…>`.
fn escaped(text: &str, escape: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escape(c) {
            out.push('<');
            out.push_str(&code_point(c));
            out.push('>');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `word` as one shell word for a command a message suggests: as it is
/// when it holds only characters no shell treats specially, else in
/// single quotes, so a path with a space or a `$` still works when pasted.
pub fn shell_word(word: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return std::borrow::Cow::Borrowed(word);
    }
    std::borrow::Cow::Owned(format!("'{}'", word.replace('\'', "'\\''")))
}

/// `U+202E`: how messages name a character that may not show.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Unicode's format characters (general category Cf) and the other
/// default-ignorable code points: they render as nothing, or reorder the
/// text around them.
fn invisible(c: char) -> bool {
    // Every range is above ASCII: most text never reaches the table.
    if c.is_ascii() {
        return false;
    }
    const RANGES: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),   // soft hyphen
        (0x034F, 0x034F),   // combining grapheme joiner
        (0x0600, 0x0605),   // Arabic number signs
        (0x061C, 0x061C),   // Arabic letter mark
        (0x06DD, 0x06DD),   // Arabic end of ayah
        (0x070F, 0x070F),   // Syriac abbreviation mark
        (0x0890, 0x0891),   // Arabic pound/piastre mark above
        (0x08E2, 0x08E2),   // Arabic disputed end of ayah
        (0x115F, 0x1160),   // Hangul fillers
        (0x17B4, 0x17B5),   // Khmer inherent vowels
        (0x180B, 0x180F),   // Mongolian variation selectors, vowel separator
        (0x200B, 0x200F),   // zero width space/joiners, LRM, RLM
        (0x202A, 0x202E),   // bidirectional embeddings and overrides
        (0x2060, 0x206F),   // word joiner, invisible operators, isolates
        (0x3164, 0x3164),   // Hangul filler
        (0xFE00, 0xFE0F),   // variation selectors
        (0xFEFF, 0xFEFF),   // zero width no-break space (BOM)
        (0xFFA0, 0xFFA0),   // halfwidth Hangul filler
        (0xFFF0, 0xFFFB),   // interlinear annotation, unassigned specials
        (0x110BD, 0x110BD), // Kaithi number sign
        (0x110CD, 0x110CD), // Kaithi number sign above
        (0x13430, 0x1343F), // Egyptian hieroglyph format controls
        (0x1BCA0, 0x1BCA3), // shorthand format controls
        (0x1D173, 0x1D17A), // musical symbol format controls
        (0xE0000, 0xE0FFF), // tags, variation selectors supplement
    ];
    let c = c as u32;
    RANGES.iter().any(|&(low, high)| (low..=high).contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_a_shell_would_split_or_expand_them() {
        assert_eq!(shell_word("a/shipit.toml"), "a/shipit.toml");
        assert_eq!(shell_word("my app/shipit.toml"), "'my app/shipit.toml'");
        assert_eq!(shell_word("it's $HOME"), "'it'\\''s $HOME'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn refuses_every_unicode_space_but_the_ascii_one() {
        assert_eq!(refused(' '), None);
        // Zs, Zl and Zp, and the whitespace controls.
        for c in [
            '\t', '\n', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{A0}', '\u{1680}', '\u{2000}',
            '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}',
            '\u{2008}', '\u{2009}', '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}',
            '\u{3000}',
        ] {
            assert!(refused(c).is_some(), "{}", code_point(c));
        }
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if c.is_whitespace() && c != ' ' {
                assert!(refused(c).is_some(), "{}", code_point(c));
            }
        }
    }

    #[test]
    fn refuses_invisible_and_bidi_characters() {
        for c in [
            '\u{202E}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{200D}',
            '\u{2066}',
            '\u{E0041}',
            '\u{AD}',
        ] {
            assert!(refused(c).is_some(), "{}", code_point(c));
        }
        for c in ['a', 'é', 'ß', '中', '→', '—', '😀', '<', '$'] {
            assert_eq!(refused(c), None, "{}", code_point(c));
        }
    }

    #[test]
    fn finds_the_first_refused_character() {
        assert_eq!(
            first_refused("ab\u{202E}c"),
            Some((
                2,
                '\u{202E}',
                "an invisible or bidirectional formatting character"
            ))
        );
        assert_eq!(first_refused("plain text"), None);
    }
}
