//! Source text → [`Manifest`] and [`Spans`]: TOML syntax errors, unknown
//! keys (with a "did you mean"), unsafe characters and type errors, each
//! pointed at its line and column.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Manifest, Spans, join_key};
use crate::diagnostic::{Diagnostic, Source};
use crate::suggest;
/// Parses manifest source into its typed form and a span index. Every
/// syntax error, unknown key and control character is reported; type errors
/// stop at the first, as serde does.
pub fn parse(source: &Source) -> Result<(Manifest, Spans), Vec<Diagnostic>> {
    let (root, errors) = DeTable::parse_recoverable(&source.text);
    if !errors.is_empty() {
        return Err(errors.iter().map(syntax_diagnostic).collect());
    }

    let schema = super::keys::tree();
    let mut walk = Walk {
        source: &source.text,
        spans: Spans::default(),
        diagnostics: Vec::new(),
        schema,
    };
    walk.table(root.get_ref(), "", Some(schema));
    if !walk.diagnostics.is_empty() {
        crate::diagnostic::sort(&mut walk.diagnostics);
        return Err(walk.diagnostics);
    }
    let spans = walk.spans;

    let deserializer = toml::de::Deserializer::from(root);
    match Manifest::deserialize(deserializer) {
        Ok(manifest) => Ok((manifest, spans)),
        Err(error) => Err(vec![type_diagnostic(&error, &spans, source)]),
    }
}

fn syntax_diagnostic(error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim_end();
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    let mut diagnostic = Diagnostic::new(format!("invalid TOML: {}", lowercase_first(first)));
    diagnostic.span = error.span();
    if !rest.trim().is_empty() {
        diagnostic.help.push(rest.trim().to_string());
    }
    diagnostic
}

/// Turns serde's message into ours: lowercase, the key named, what would be
/// accepted.
fn type_diagnostic(error: &toml::de::Error, spans: &Spans, source: &Source) -> Diagnostic {
    let message = error.message().trim_end();
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        // serde points at the whole table; name the table instead.
        let table = error
            .span()
            .and_then(|span| table_at(spans, span))
            .unwrap_or_default();
        let mut diagnostic = Diagnostic::new(format!(
            "missing required key `{field}` {}",
            describe_table(&table)
        ));
        diagnostic.span = spans.key(&table).or_else(|| {
            (!source.text.is_empty())
                .then(|| 0..source.text.find('\n').unwrap_or(source.text.len()))
        });
        diagnostic.help.push(missing_field_help(&table, field));
        return diagnostic;
    }

    let path = error.span().and_then(|span| path_at(spans, span));
    let mut text = plain_words(&lowercase_first(message));
    if let Some(path) = &path {
        text = format!("{text} for `{path}`");
    }
    let mut diagnostic = Diagnostic::new(text);
    diagnostic.span = error.span();
    if path
        .as_deref()
        .is_some_and(|p| p.starts_with("build.assets[") && p.ends_with("].language"))
    {
        diagnostic.help.push(
            "asset stages are built with Node.js (npm, pnpm or yarn) for now: `language = \"node\"`"
                .into(),
        );
    }
    if message.contains("expected a string") && message.contains("floating point") {
        diagnostic
            .help
            .push("versions are strings: quote the value, e.g. `version = \"1.23\"`".into());
    }
    diagnostic
}

/// serde speaks of Rust types; a manifest author thinks in TOML.
fn plain_words(message: &str) -> String {
    message
        .replace("expected a sequence", "expected an array")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("invalid type: map", "invalid type: table")
        .replace("expected a map", "expected a table")
        .replace("expected u16", "expected a port number (1-65535)")
        .replace("expected u32", "expected a whole number")
        .replace("expected a boolean", "expected `true` or `false`")
        .replace("struct ", "table ")
}

fn missing_field_help(table: &str, field: &str) -> String {
    match (table, field) {
        ("", "name") => "add e.g. `name = \"my-app\"` (the image name)".into(),
        ("", "language") => {
            "add e.g. `language = \"go\"`; accepted: `go`, `node`, `python`, `c`".into()
        }
        _ => format!("add `{field} = ...` {}", describe_table(table)),
    }
}

/// The path of the value whose span is exactly `span`.
fn path_at(spans: &Spans, span: Range<usize>) -> Option<String> {
    spans
        .values
        .iter()
        .filter(|(_, s)| s.start <= span.start && span.end <= s.end)
        .min_by_key(|(_, s)| s.end - s.start)
        .map(|(path, _)| path.clone())
}

/// The path of the innermost table whose value span is `span`.
fn table_at(spans: &Spans, span: Range<usize>) -> Option<String> {
    spans
        .values
        .iter()
        .find(|(_, s)| **s == span)
        .map(|(path, _)| path.clone())
}

/// `[runtime]`, `[[artifacts]]` or "at the top level", for messages.
pub fn describe_table(path: &str) -> String {
    if path.is_empty() {
        return "at the top level".into();
    }
    let table = path.split('[').next().unwrap_or(path);
    if path.ends_with(']') && !table.contains('.') {
        format!("in `[[{table}]]`")
    } else {
        format!("in `[{table}]`")
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One pass over the parsed TOML tree: records spans, rejects keys the
/// schema does not know and strings that could break a Dockerfile line.
struct Walk<'s> {
    source: &'s str,
    spans: Spans,
    diagnostics: Vec<Diagnostic>,
    schema: &'s serde_json::Value,
}

impl<'s> Walk<'s> {
    fn table(&mut self, table: &DeTable<'_>, path: &str, schema: Option<&'s serde_json::Value>) {
        let root = self.schema;
        let schema = schema.map(|s| resolve(root, s));
        let properties = schema
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.as_object());
        let closed = schema
            .and_then(|s| s.get("additionalProperties"))
            .is_some_and(|a| a == &serde_json::Value::Bool(false));
        let open_values = schema
            .and_then(|s| s.get("additionalProperties"))
            .filter(|a| a.is_object());

        for (key, value) in table {
            let key_path = join_key(path, key.get_ref());
            self.spans.keys.insert(key_path.clone(), key.span());
            self.spans.values.insert(key_path.clone(), value.span());
            self.check_text(key.get_ref(), key.span(), &key_path, "key");

            let child = match properties.and_then(|p| p.get(key.get_ref().as_ref())) {
                Some(child) => Some(child),
                None if closed => {
                    self.unknown_key(key, path, properties);
                    continue;
                }
                None => open_values,
            };
            self.value(value, &key_path, child);
        }
    }

    fn value(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        schema: Option<&'s serde_json::Value>,
    ) {
        let root = self.schema;
        match value.get_ref() {
            DeValue::Table(table) => self.table(table, path, schema),
            DeValue::Array(items) => {
                let items_schema = schema
                    .map(|s| resolve(root, s))
                    .and_then(|s| s.get("items"));
                for (index, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{index}]");
                    self.spans.values.insert(item_path.clone(), item.span());
                    self.value(item, &item_path, items_schema);
                }
            }
            DeValue::String(text) => self.check_text(text, value.span(), path, "value"),
            _ => {}
        }
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        path: &str,
        properties: Option<&serde_json::Map<String, serde_json::Value>>,
    ) {
        let known: Vec<&str> = properties
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut diagnostic = Diagnostic::new(format!(
            "unknown key `{}` {}",
            key.get_ref(),
            describe_table(path)
        ));
        diagnostic.span = Some(key.span());
        diagnostic.label = Some("not a shipit key".into());
        diagnostic.help.push(suggest::help(key.get_ref(), &known));
        self.diagnostics.push(diagnostic);
    }

    /// No manifest string may carry a character from [`crate::text`]'s
    /// refused class: a newline would end a Dockerfile instruction, a
    /// Unicode space would split a word where BuildKit splits it, and an
    /// invisible or bidirectional character makes a value read differently
    /// from what it does.
    fn check_text(&mut self, text: &str, span: Range<usize>, path: &str, what: &str) {
        let Some((_, c, why)) = crate::text::first_refused(text) else {
            return;
        };
        let mut diagnostic = Diagnostic::new(format!(
            "the {what} of `{path}` contains {} ({why})",
            crate::text::code_point(c)
        ));
        // Point at the character itself when it is written literally.
        let written = self
            .source
            .get(span.clone())
            .and_then(|slice| slice.find(c))
            .map(|at| span.start + at..span.start + at + c.len_utf8());
        diagnostic.span = Some(written.unwrap_or(span));
        diagnostic.help.push(
            "manifest strings are one line of printable text: no control characters, no spaces other than the ASCII space, no invisible or bidirectional formatting characters; split a multi-line build step into several `build.steps`".into(),
        );
        self.diagnostics.push(diagnostic);
    }
}

/// Follows `$ref`s (bare, or wrapped in `allOf` as draft-07 does when a
/// reference has siblings) and unwraps `Option` (`anyOf: [T, null]`).
fn resolve<'s>(
    root: &'s serde_json::Value,
    mut schema: &'s serde_json::Value,
) -> &'s serde_json::Value {
    for _ in 0..8 {
        if schema.get("properties").is_some() || schema.get("items").is_some() {
            return schema;
        }
        let next = if let Some(reference) = schema.get("$ref").and_then(|r| r.as_str()) {
            root.pointer(reference.trim_start_matches('#'))
        } else if let Some(all) = schema.get("allOf").and_then(|a| a.as_array()) {
            all.first()
        } else if let Some(any) = schema.get("anyOf").and_then(|a| a.as_array()) {
            any.iter().find(|v| v.get("type") != Some(&"null".into()))
        } else {
            None
        };
        match next {
            Some(next) => schema = next,
            None => return schema,
        }
    }
    schema
}
