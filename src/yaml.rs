//! The spanned YAML tree.
//!
//! One parse per file, with serde-saphyr: every mapping key and every value keeps
//! its byte span. Rules never see this module's parser; they read typed objects
//! and, for presence checks, the [`Node`] tree built here.
//!
//! Untrusted input is bounded: nesting depth, node count (which is what alias
//! expansion inflates: the "billion laughs"), document count and alias replay
//! are all capped, and a breach is a located error, not a crash.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};
use std::fmt;

use crate::source::{ByteSpan, SourceFile};

/// Deepest nesting accepted. Real manifests (CRD schemas included) stay far
/// below; the loader and the tree walkers recurse, so this also bounds stack use.
pub const MAX_DEPTH: usize = 128;

/// A YAML value with the byte span of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: ByteSpan,
    pub value: Value,
    /// How a scalar was written; `Plain` for collections.
    pub style: Style,
}

/// How a scalar is written in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` or `>` block scalar.
    Block,
    /// `*anchor`: the value comes from elsewhere.
    Alias,
}

/// The YAML 1.1 booleans that Kubernetes' decoder (go-yaml v2) reads from
/// unquoted scalars, where YAML 1.2 reads strings.
pub const YAML11_BOOLS: &[(&str, bool)] = &[
    ("y", true),
    ("Y", true),
    ("yes", true),
    ("Yes", true),
    ("YES", true),
    ("on", true),
    ("On", true),
    ("ON", true),
    ("n", false),
    ("N", false),
    ("no", false),
    ("No", false),
    ("NO", false),
    ("off", false),
    ("Off", false),
    ("OFF", false),
];

/// How Kubernetes reads an unquoted scalar that YAML 1.2 reads as a string:
/// `yes`/`on`/`no`/`off` are booleans and `0755` is octal.
pub fn yaml11_value(s: &str) -> Option<Value> {
    if let Some((_, b)) = YAML11_BOOLS.iter().find(|(w, _)| *w == s) {
        return Some(Value::Bool(*b));
    }
    let digits = s.strip_prefix('0')?;
    if !digits.is_empty() && digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return i64::from_str_radix(digits, 8).ok().map(Value::Int);
    }
    None
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair. Duplicate keys are kept in document order, so a rule
/// can report both; lookups return the last, as Kubernetes' decoder does.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: ByteSpan,
    pub value: Node,
}

impl Node {
    /// The value under `key` when this node is a mapping (the last one if the
    /// key is duplicated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn index(&self, i: usize) -> Option<&Node> {
        match &self.value {
            Value::Seq(items) => items.get(i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(i) => i,
            _ => &[],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A name for the value's type, for messages ("a string", "a mapping").
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }

    /// The value as Kubernetes decodes it: unquoted YAML 1.1 booleans and
    /// octal numbers are read the way `kubectl` reads them.
    pub fn decoded(&self) -> std::borrow::Cow<'_, Value> {
        match (&self.value, self.style) {
            (Value::Str(s), Style::Plain) => match yaml11_value(s) {
                Some(v) => std::borrow::Cow::Owned(v),
                None => std::borrow::Cow::Borrowed(&self.value),
            },
            _ => std::borrow::Cow::Borrowed(&self.value),
        }
    }

    /// [`Node::type_name`] of the decoded value, saying when YAML 1.1 changed it.
    pub fn decoded_type_name(&self) -> String {
        match (&self.value, &*self.decoded()) {
            (Value::Str(s), Value::Bool(_)) => {
                format!("a boolean (unquoted `{s}` is a YAML 1.1 boolean to Kubernetes)")
            }
            (Value::Str(s), Value::Int(_)) => {
                format!("a number (unquoted `{s}` is a YAML 1.1 octal number to Kubernetes)")
            }
            _ => self.type_name().to_string(),
        }
    }

    /// The tree as JSON, for typed deserialisation, decoded as Kubernetes
    /// decodes it ([`Node::decoded`]). Duplicate keys: the last wins, as in
    /// `kubectl`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &*self.decoded() {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut m = serde_json::Map::with_capacity(entries.len());
                for e in entries {
                    m.insert(e.key.clone(), e.value.to_json());
                }
                J::Object(m)
            }
        }
    }

    /// Call `f` on every string scalar below this node (keys excluded), with the
    /// span of the scalar.
    pub fn for_each_string<'a>(&'a self, f: &mut impl FnMut(&'a str, ByteSpan)) {
        match &self.value {
            Value::Str(s) => f(s, self.span),
            Value::Seq(items) => items.iter().for_each(|n| n.for_each_string(f)),
            Value::Map(entries) => entries.iter().for_each(|e| e.value.for_each_string(f)),
            _ => {}
        }
    }
}

/// What went wrong while reading a file's YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// Byte offset of the problem, when the parser knows it.
    pub offset: Option<u32>,
}

/// Parse every document of a YAML stream. Empty documents are dropped.
pub fn parse_documents(file: &SourceFile) -> Result<Vec<Node>, YamlError> {
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

/// serde-saphyr renders "error: line L column C: message"; the location is
/// reported separately, so keep the message only.
fn clean_message(rendered: &str) -> String {
    let first = rendered.lines().next().unwrap_or(rendered).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let msg = match first.strip_prefix("line ") {
        Some(rest) => match rest.find(": ") {
            Some(i) if rest[..i].contains("column") => &rest[i + 2..],
            _ => first,
        },
        None => first,
    };
    // "… at line 3, column 9": the position is reported separately.
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains("column") => &msg[..i],
        _ => msg,
    };
    let mut msg = msg.trim().to_string();
    if msg.is_empty() {
        msg = "invalid YAML".to_string();
    }
    msg
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
        parse_documents(&SourceFile::new("t.yaml", text))
    }

    #[test]
    fn keys_and_values_keep_byte_spans() {
        let text = "a: 1\nb:\n  c: \"x\"\n";
        let docs = parse(text).unwrap();
        let b = docs[0].entry("b").unwrap();
        assert_eq!(
            &text[b.key_span.start as usize..b.key_span.end as usize],
            "b"
        );
        let c = b.value.get("c").unwrap();
        assert_eq!(&text[c.span.start as usize..c.span.end as usize], "\"x\"");
        assert_eq!(c.as_str(), Some("x"));
        // the block mapping under `b` spans from `c` to the end of `"x"`
        assert_eq!(
            &text[b.value.span.start as usize..b.value.span.end as usize],
            "c: \"x\""
        );
    }

    #[test]
    fn yaml_1_1_words_stay_strings() {
        let docs = parse("a: yes\nb: 0755\nc: true\n").unwrap();
        assert_eq!(docs[0].get("a").unwrap().as_str(), Some("yes"));
        assert_eq!(docs[0].get("b").unwrap().as_str(), Some("0755"));
        assert_eq!(docs[0].get("c").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn kubernetes_decodes_unquoted_yaml_1_1_literals() {
        let docs = parse("a: yes\nb: \"yes\"\nc: 0755\nd: '0755'\ne: 0789\n").unwrap();
        let j = docs[0].to_json();
        assert_eq!(j["a"], serde_json::json!(true));
        assert_eq!(j["b"], serde_json::json!("yes"));
        assert_eq!(j["c"], serde_json::json!(493));
        assert_eq!(j["d"], serde_json::json!("0755"));
        assert_eq!(j["e"], serde_json::json!("0789"));
        assert_eq!(docs[0].get("b").unwrap().style, Style::DoubleQuoted);
        let docs = parse("a: |-  # note\n  yes\nb: >\n  0755\n").unwrap();
        assert_eq!(docs[0].get("a").unwrap().style, Style::Block);
        assert_eq!(docs[0].get("b").unwrap().style, Style::Block);
        assert_eq!(docs[0].to_json()["a"], serde_json::json!("yes"));
    }

    #[test]
    fn duplicate_keys_are_kept_and_the_last_wins() {
        let docs = parse("a: 1\na: 2\n").unwrap();
        assert_eq!(docs[0].entries().len(), 2);
        assert_eq!(docs[0].get("a").unwrap().value, Value::Int(2));
    }

    #[test]
    fn empty_documents_are_dropped() {
        let docs = parse("---\n---\na: 1\n---\n").unwrap();
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.offset.is_some());
        assert!(!e.message.starts_with("error"), "{}", e.message);
    }

    #[test]
    fn alias_bombs_breach_the_budget() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("budget"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("x: {}{}\n", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&text).is_err());
    }
}
