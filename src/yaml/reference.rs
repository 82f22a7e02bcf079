//! The reference: how `parse_documents` read YAML before the event builder,
//! with serde-saphyr (a dev-dependency only). The differential tests compare
//! the two on every fixture, example and real manifest, and on mutations of
//! them.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};
use std::fmt;

use super::{clean_message, Entry, Node, Style, Value, YamlError, MAX_DEPTH};
use crate::source::{ByteSpan, SourceFile};

/// Parse every document of a YAML stream, the old way.
pub(super) fn parse_documents(file: &SourceFile) -> Result<Vec<Node>, YamlError> {
    let text: &str = &file.text;
    let options = options_for(text.len());
    match serde_saphyr::from_multiple_with_options::<Spanned<Raw>>(text, options) {
        Ok(docs) => Ok(docs.into_iter().map(|d| convert(d, text)).collect()),
        Err(e) => Err(yaml_error(file, &e)),
    }
}

fn options_for(len: usize) -> Options {
    // Budgets scale with the file so that big generated bundles pass, while an
    // alias bomb (tiny text, huge expansion) still breaches `max_nodes`.
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = 250_000usize.max(len);
    budget.max_events = 1_000_000usize.max(len.saturating_mul(2));
    budget.max_documents = 1_024usize.max(len / 8);
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len.saturating_mul(2));
    let mut o = Options::default();
    o.budget = Some(budget);
    o.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    // YAML 1.2 core schema: `yes`/`on` stay strings, `0755` stays a string.
    o.strict_booleans = true;
    o.leading_zero_numbers_as_strings = true;
    o.with_snippet = false;
    o
}

fn yaml_error(file: &SourceFile, e: &serde_saphyr::Error) -> YamlError {
    let loc = e.location().filter(|l| l.line() > 0);
    let offset = loc.map(|l| {
        l.span()
            .byte_offset()
            .map(|b| b as u32)
            .unwrap_or_else(|| file.offset_of(l.line() as u32, l.column() as u32))
    });
    YamlError {
        message: clean_message(&e.to_string()),
        offset,
    }
}

/// What serde-saphyr hands us: values with locations, converted to [`Node`] once.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v)
            .map(Raw::Int)
            .unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(i64::try_from(v)
            .map(Raw::Int)
            .unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(i64::try_from(v)
            .map(Raw::Int)
            .unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
        let mut items = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
        while let Some(x) = a.next_element()? {
            items.push(x);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
        while let Some(k) = a.next_key::<Spanned<String>>()? {
            let v = a.next_value::<Spanned<Raw>>()?;
            entries.push((k, v));
        }
        Ok(Raw::Map(entries))
    }
}

fn span_of(loc: &serde_saphyr::Location, text_len: usize) -> ByteSpan {
    let s = loc.span();
    match (s.byte_offset(), s.byte_len()) {
        (Some(o), Some(l)) => {
            let start = (o as usize).min(text_len);
            ByteSpan::new(start, (start + l as usize).min(text_len))
        }
        _ => ByteSpan::default(),
    }
}

fn convert(raw: Spanned<Raw>, text: &str) -> Node {
    let text_len = text.len();
    let own = span_of(&raw.referenced, text_len);
    let style = match text.as_bytes().get(own.start as usize) {
        _ if own.is_empty() => Style::Plain,
        _ if is_block_scalar(text, own.start as usize) => Style::Block,
        Some(b'"') => Style::DoubleQuoted,
        Some(b'\'') => Style::SingleQuoted,
        Some(b'|' | b'>') => Style::Block,
        Some(b'*') => Style::Alias,
        _ => Style::Plain,
    };
    match raw.value {
        Raw::Null => leaf(own, Value::Null, style),
        Raw::Bool(b) => leaf(own, Value::Bool(b), style),
        Raw::Int(i) => leaf(own, Value::Int(i), style),
        Raw::Float(f) => leaf(own, Value::Float(f), style),
        Raw::Str(s) => leaf(own, Value::Str(s), style),
        Raw::Seq(items) => {
            let items: Vec<Node> = items.into_iter().map(|i| convert(i, text)).collect();
            let span = items.iter().fold(own, |acc, n| acc.join(n.span));
            Node {
                span,
                value: Value::Seq(items),
                style: Style::Plain,
            }
        }
        Raw::Map(entries) => {
            let entries: Vec<Entry> = entries
                .into_iter()
                .map(|(k, v)| Entry {
                    key_span: span_of(&k.referenced, text_len),
                    key: k.value,
                    value: convert(v, text),
                })
                .collect();
            // A block mapping's own span is empty: cover its entries instead.
            let span = entries.iter().fold(own, |acc, e| {
                acc.join(e.key_span).join(if e.value.span.is_empty() {
                    e.key_span
                } else {
                    e.value.span
                })
            });
            Node {
                span,
                value: Value::Map(entries),
                style: Style::Plain,
            }
        }
    }
}

/// Whether the scalar starting at `start` is the content of a `|` or `>` block
/// scalar: the indicator ends the previous line (before any comment).
fn is_block_scalar(text: &str, start: usize) -> bool {
    let Some(before) = text.get(..start) else {
        return false;
    };
    let Some(nl) = before.trim_end_matches([' ', '\t']).rfind('\n') else {
        return false;
    };
    if !before[nl..].trim().is_empty() {
        return false; // the scalar starts on the same line as other text
    }
    let prev = before[..nl].trim_end_matches(['\n', '\r']);
    let line = prev.rsplit('\n').next().unwrap_or(prev);
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    let last = code.trim_end().rsplit([' ', '\t']).next().unwrap_or("");
    last.starts_with(['|', '>'])
        && last[1..]
            .chars()
            .all(|c| c == '-' || c == '+' || c.is_ascii_digit())
}

fn leaf(span: ByteSpan, value: Value, style: Style) -> Node {
    Node { span, value, style }
}
