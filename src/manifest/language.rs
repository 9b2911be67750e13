//! The `language` key: which languages exist, each one's key and built-in
//! template. What a language does is `crate::languages`' business; this
//! list is the manifest's, so the schema and the parser know it without
//! depending on the language modules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Declares the languages: the `language` enum of the manifest (its doc
/// comments are the schema's descriptions) and each one's key.
macro_rules! languages {
    ($($(#[doc = $doc:literal])* $variant:ident = $key:literal,)+) => {
        /// A supported application language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
        pub enum Language {
            $($(#[doc = $doc])* #[serde(rename = $key)] $variant,)+
        }

        impl Language {
            pub const ALL: &'static [Language] = &[$(Language::$variant),+];

            /// The manifest key of this language's table, and its
            /// template's stem.
            pub fn key(self) -> &'static str {
                match self {
                    $(Language::$variant => $key,)+
                }
            }

            /// The built-in template, `templates/<key>.Dockerfile.j2`.
            pub(crate) fn template(self) -> &'static str {
                match self {
                    $(Language::$variant => include_str!(concat!("../../templates/", $key, ".Dockerfile.j2")),)+
                }
            }
        }
    };
}

languages! {
    /// Go: a static binary on `scratch`.
    Go = "go",
    /// Node.js: one `pkg` executable on `alpine`, or `node:<v>-alpine` with
    /// production dependencies.
    Node = "node",
    /// Python: a virtualenv copied onto `python:<v>-slim`.
    Python = "python",
    /// C: a gcc-built binary on `ubuntu`.
    C = "c",
    /// Rust: a `--locked` release build on `debian:<release>-slim`, or a
    /// static musl binary on `scratch`.
    Rust = "rust",
}

/// `init --language` takes the same keys as the manifest.
impl clap::ValueEnum for Language {
    fn value_variants<'a>() -> &'a [Self] {
        Language::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.key()))
    }
}

impl Language {
    /// The language whose key is `key`.
    pub fn from_key(key: &str) -> Option<Language> {
        Language::ALL.iter().copied().find(|l| l.key() == key)
    }

    /// The built-in template's file name.
    pub fn template_name(self) -> String {
        format!("{}.Dockerfile.j2", self.key())
    }
}
