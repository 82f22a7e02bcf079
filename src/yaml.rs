//! The spanned YAML tree.
//!
//! One parse per file: parser events (with byte offsets into the file) are
//! turned into [`Node`]s by our own builder (`build.rs`), so every mapping
//! key and every value keeps its byte span. The events come from the fast
//! path (`fast.rs`) for the YAML that manifests are written in, and from
//! granit-parser for everything else; the two give the same events. Rules never see this
//! module's parser; they read typed objects and, for presence checks, the
//! [`Node`] tree built here.
//!
//! Why an event parser and our own builder rather than a deserializer: spans
//! come straight from the events' byte offsets (no per-node text scanning),
//! the builder keeps its own stack instead of recursing, counts every node
//! (alias replays included) against the budgets below, and runs about 2.7
//! times as fast as deserializing through serde-saphyr did, with the same
//! results: `differential.rs` compares the two on every fixture, example and
//! real manifest and on thousands of mutations of them, and lists the three
//! deliberate differences.
//!
//! Untrusted input is bounded: nesting depth ([`MAX_DEPTH`]), node count
//! (including the nodes that alias expansion replays, which is what the
//! "billion laughs" inflates), document count and alias replay are all capped,
//! and a breach is a located error, not a crash.

use crate::source::{ByteSpan, SourceFile};

mod build;
#[cfg(test)]
pub(crate) mod differential;
mod fast;
mod lenient;
#[cfg(test)]
mod reference;

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

/// The documents of a YAML stream that could be read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    /// Every document read, in order; empty documents are not here.
    pub docs: Vec<Node>,
    /// One error per document dropped for a bad value (a non-finite float, an
    /// unknown tag, a null key…), in order. The other documents are read.
    pub dropped: Vec<YamlError>,
}

/// Parse every document of a YAML stream, dropping only the documents whose
/// values are bad; an error that stops the parser (a syntax error, a budget
/// exceeded) fails the whole stream.
pub fn parse_stream(file: &SourceFile) -> Result<Stream, YamlError> {
    match build::parse(file) {
        (stream, None) => Ok(stream),
        (_, Some(e)) => Err(e),
    }
}

/// Parse every document of a YAML stream, strictly: the first error of any
/// kind fails it. Empty documents are dropped.
pub fn parse_documents(file: &SourceFile) -> Result<Vec<Node>, YamlError> {
    match build::parse(file) {
        (mut s, _) if !s.dropped.is_empty() => Err(s.dropped.swap_remove(0)),
        (_, Some(e)) => Err(e),
        (s, None) => Ok(s.docs),
    }
}

/// The parser's message for a continuation line of a multi-line quoted scalar
/// that is not indented more than its key.
const UNDER_INDENTED: &str = "invalid indentation in multiline quoted scalar";

/// Where the YAML of a file is not valid as written but kubectl reads it, and
/// [`parse_documents_as_kubectl`] read it the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leniency {
    /// The first continuation line of a multi-line quoted scalar that is not
    /// indented more than its key: from its first character to its end.
    pub span: ByteSpan,
    /// How many lines of that scalar are so.
    pub lines: usize,
}

/// [`parse_documents`], reading what kubectl reads.
///
/// Continuation lines of a multi-line quoted scalar must be indented more than
/// its key; go-yaml (and so kubectl) reads them anyway. When that is all that
/// keeps a file from parsing, a copy with those lines indented is parsed
/// instead (a continuation line's leading white space is not part of the
/// value, so no value changes), every span is mapped back to `file`'s bytes,
/// and each such scalar is returned as a [`Leniency`]. Otherwise the strict
/// error is returned.
pub fn parse_documents_as_kubectl(file: &SourceFile) -> Result<(Stream, Vec<Leniency>), YamlError> {
    let mut docs = Collect(Vec::new());
    let read = read_documents_as_kubectl(file, &mut docs)?;
    let stream = Stream {
        docs: docs.0,
        dropped: read.dropped,
    };
    Ok((stream, read.lenient))
}

/// Where [`read_documents_as_kubectl`] hands the documents it reads.
pub trait Documents {
    /// A document, as soon as it is read, with its spans in the file's bytes.
    fn document(&mut self, doc: Node);
    /// Forget every document handed over so far: the file is read again from
    /// its first document.
    fn restart(&mut self);
}

/// What reading a file gave besides its documents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Read {
    /// The documents dropped for a bad value (see [`Stream::dropped`]).
    pub dropped: Vec<YamlError>,
    /// What was read the way kubectl reads it (see [`Leniency`]).
    pub lenient: Vec<Leniency>,
}

/// [`parse_documents_as_kubectl`], handing each document to `sink` as soon as
/// it is read: a file is then held one document at a time, however many it
/// has. On an error the documents already handed over do not make a valid
/// file: the caller forgets them, as it does on [`Documents::restart`].
pub fn read_documents_as_kubectl(
    file: &SourceFile,
    sink: &mut dyn Documents,
) -> Result<Read, YamlError> {
    match build::parse_each(file, &mut |doc| sink.document(doc)) {
        (dropped, None) => Ok(Read {
            dropped,
            lenient: Vec::new(),
        }),
        (_, Some(e)) if e.message == UNDER_INDENTED => lenient::reparse(file, &e, sink).ok_or(e),
        (_, Some(e)) => Err(e),
    }
}

/// Documents held in a list.
struct Collect(Vec<Node>);

impl Documents for Collect {
    fn document(&mut self, doc: Node) {
        self.0.push(doc);
    }

    fn restart(&mut self) {
        self.0.clear();
    }
}

/// The first line of a parser message, without the position (reported
/// separately): "error: line L column C: message" or "message at line L, column C".
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
    fn a_bad_value_drops_only_its_document() {
        let text = "a: 1\n---\nb: {c: [1, {d: 1e309}], e: 2}\n---\nx: &m {k: 1}\ny: {<<: *m, z: 2}\n---\n~: null key\n---\nlast: !!bool yes\n";
        let s = parse_stream(&SourceFile::new("t.yaml", text)).unwrap();
        // The documents around the bad ones are whole, merge keys included.
        assert_eq!(s.docs.len(), 2);
        assert_eq!(s.docs[0].get("a").unwrap().value, Value::Int(1));
        let y = s.docs[1].get("y").unwrap();
        assert_eq!(y.get("k").unwrap().value, Value::Int(1));
        assert_eq!(y.get("z").unwrap().value, Value::Int(2));
        let at: Vec<(Option<u32>, &str)> = s
            .dropped
            .iter()
            .map(|e| (e.offset, e.message.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (
                    Some(text.find("1e309").unwrap() as u32),
                    "non-finite float `1e309` rejected by the configured policy"
                ),
                (
                    Some(text.find("~:").unwrap() as u32),
                    "cannot deserialize null into string; use Option<String>"
                ),
                (
                    Some(text.find("yes").unwrap() as u32),
                    "invalid boolean (strict mode expects true/false)"
                ),
            ]
        );
        // The strict reading stops at the first; a syntax error stops both.
        assert_eq!(parse(text).unwrap_err().offset, at[0].0);
        let broken = "a: 1\n---\nb: [1\n";
        assert!(parse_stream(&SourceFile::new("t.yaml", broken)).is_err());
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
        assert!(
            e.message.starts_with("alias expansion limit exceeded: aliases replay more than 100000 events in this file"),
            "{}",
            e.message
        );
    }

    #[test]
    fn what_aliases_may_add_grows_with_the_file_not_with_the_run() {
        // 99 aliases of a 1,100-item list: 109k events, over the floor
        let refs = vec!["*a"; 99].join(",");
        let small = format!("a: &a [{}]\nb: [{refs}]\n", vec!["1"; 1100].join(","));
        let Err(e) = parse(&small) else {
            panic!("no error")
        };
        assert!(
            e.message.starts_with("alias expansion limit exceeded"),
            "{}",
            e.message
        );
        assert_eq!(&small[e.offset.unwrap() as usize..][..2], "*a");
        // the same with a comment that makes the file 7 KB larger: allowed
        let padded = format!("# {}\n{small}", "-".repeat(7000));
        assert!(parse(&padded).is_ok_and(|d| d.len() == 1));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("x: {}{}\n", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&text).is_err());
    }

    fn text_of(text: &str, span: ByteSpan) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn scalars_resolve_by_the_yaml_1_2_core_schema() {
        let text = "a: ~\nb: Null\nc: True\nd: 0x1F\ne: 0o17\nf: 1_000\ng: +1\nh: -0\n\
                    i: 1e3\nj: 9223372036854775808\nk: 0755\nl: nUll\nm: !!str 1\n\
                    n: !!int \"3\"\no: !!binary aGVsbG8=\np: !Ref x\nq: !Ref 12\nr: ''\n";
        let doc = &parse(text).unwrap()[0];
        let v = |k: &str| doc.get(k).unwrap().value.clone();
        assert_eq!(v("a"), Value::Null);
        assert_eq!(v("b"), Value::Null);
        assert_eq!(v("c"), Value::Bool(true));
        assert_eq!(v("d"), Value::Int(31));
        assert_eq!(v("e"), Value::Int(15));
        assert_eq!(v("f"), Value::Int(1000));
        assert_eq!(v("g"), Value::Int(1));
        assert_eq!(v("h"), Value::Int(0));
        assert_eq!(v("i"), Value::Float(1000.0));
        assert_eq!(v("j"), Value::Float(9223372036854775808.0));
        assert_eq!(v("k"), Value::Str("0755".into()));
        assert_eq!(v("l"), Value::Str("nUll".into()));
        assert_eq!(v("m"), Value::Str("1".into()));
        assert_eq!(v("n"), Value::Int(3));
        assert_eq!(v("o"), Value::Str("hello".into()));
        assert_eq!(v("p"), Value::Str("x".into()));
        assert_eq!(v("q"), Value::Int(12));
        assert_eq!(v("r"), Value::Str(String::new()));
        // the span of a tagged scalar is its text, without the tag
        assert_eq!(text_of(text, doc.get("m").unwrap().span), "1");
        // errors are at the scalar's text (after any tag)
        for (bad, at) in [
            ("v: .inf\n", 3),
            ("v: 1e309\n", 3),
            ("v: !!bool yes\n", 10),
            ("v: !!int 1.5\n", 9),
        ] {
            assert_eq!(parse(bad).unwrap_err().offset, Some(at), "{bad}");
        }
        assert_eq!(
            parse("v: .inf\n").unwrap_err().message,
            "non-finite float `.inf` rejected by the configured policy"
        );
    }

    #[test]
    fn keys_are_strings() {
        let doc = &parse("1: a\ntrue: b\n0x1F: c\n").unwrap()[0];
        let keys: Vec<&str> = doc.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["1", "true", "0x1F"]);
        let e = parse("a: 1\nnull: c\n").unwrap_err();
        assert_eq!(
            e.message,
            "cannot deserialize null into string; use Option<String>"
        );
        assert_eq!(e.offset, Some(5));
        let e = parse("? [a, b]\n: c\n").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.offset),
            ("expected string scalar", Some(2))
        );
        let e = parse("!!int 1: a\n").unwrap_err();
        assert_eq!(e.message, "cannot deserialize tagged scalar into string");
    }

    #[test]
    fn aliases_are_reported_where_they_are_used() {
        let text = "x: &a 1\ny: *a\nz: &m {p: 1, q: [2]}\nw: *m\n";
        let doc = &parse(text).unwrap()[0];
        let y = doc.get("y").unwrap();
        assert_eq!(
            (y.value.clone(), y.style, text_of(text, y.span)),
            (Value::Int(1), Style::Alias, "*a")
        );
        let w = doc.entry("w").unwrap();
        assert_eq!(text_of(text, w.value.span), "*m");
        for e in w.value.entries() {
            assert_eq!(text_of(text, e.key_span), "*m");
        }
        let q = w.value.get("q").unwrap();
        assert_eq!((q.style, q.items()[0].style), (Style::Plain, Style::Alias));
        assert_eq!(text_of(text, q.items()[0].span), "*m");
    }

    #[test]
    fn merge_keys_add_entries_after_the_explicit_ones() {
        let text = "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n  z: 4\n";
        let d = parse(text).unwrap()[0].get("d").cloned().unwrap();
        let keys: Vec<&str> = d.entries().iter().map(|e| e.key.as_str()).collect();
        // explicit keys first, then merged keys not already present
        assert_eq!(keys, ["y", "z", "x"]);
        let x = d.entry("x").unwrap();
        assert_eq!(text_of(text, x.key_span), "*b");
        assert_eq!(
            (x.value.value.clone(), x.value.style),
            (Value::Int(1), Style::Alias)
        );
        // an inline merge value: the merged nodes are reported at its start
        let text = "d:\n  <<: [{a: 1}, {a: 2, b: 3}]\n  c: 0\n";
        let d = parse(text).unwrap()[0].get("d").cloned().unwrap();
        let got: Vec<(&str, &str, Value)> = d
            .entries()
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    text_of(text, e.key_span),
                    e.value.value.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("c", "c", Value::Int(0)),
                ("a", "{", Value::Int(1)),
                ("b", "{", Value::Int(3))
            ]
        );
        let e = parse("d: {<<: 5}\n").unwrap_err();
        assert_eq!(
            e.message,
            "YAML merge value must be mapping or sequence of mappings"
        );
        assert_eq!(e.offset, Some(8));
        // a shadowed merged value is never read, so it cannot fail
        assert!(parse("d: {x: 1, <<: {x: .inf}}\n").is_ok());
    }

    #[test]
    fn budgets_are_located_errors() {
        let deep = format!("x: {}{}\n", "[".repeat(129), "]".repeat(129));
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.message, "budget breached: Depth { depth: 129 }");
        // the 128th bracket: the mapping is the first level
        assert_eq!(e.offset, Some(3 + 127));
        assert!(parse(&format!("x: {}{}\n", "[".repeat(127), "]".repeat(127))).is_ok());
        let block: String = (0..140)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect();
        assert!(parse(&block).unwrap_err().message.contains("Depth"));
        let e = parse(&"---\n".repeat(1100)).unwrap_err();
        assert_eq!(e.message, "budget breached: Documents { documents: 1025 }");
        assert_eq!(e.offset, Some(4 * 1024));
        // many aliases to few anchors: checked once the stream is read
        let text = format!("a: &a 1\nb: [{}]\n", vec!["*a"; 120].join(","));
        let e = parse(&text).unwrap_err();
        assert_eq!(
            e.message,
            "budget breached: AliasAnchorRatio { aliases: 120, anchors: 1 }"
        );
        assert_eq!(e.offset, Some(text.len() as u32));
        let e = parse("a: &a [1, *a]\n").unwrap_err();
        assert_eq!(
            e.message,
            "recursive references require weak recursion types"
        );
        assert_eq!(e.offset, Some(10));
    }

    #[test]
    fn an_alias_bomb_is_stopped_at_the_alias_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for w in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
        }
        let started = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert!(
            e.message
                .starts_with("alias expansion limit exceeded: aliases replay more than 100000 events in this file (16 per byte of the file, at least 100000) (defined at line "),
            "{}",
            e.message
        );
        // reported at an alias
        assert_eq!(&text[e.offset.unwrap() as usize..][..1], "*");
    }

    /// The value and span of every node, spans as text, to compare trees read
    /// from differently indented copies.
    fn flat(text: &str, docs: &[Node]) -> Vec<String> {
        let mut out = Vec::new();
        let mut todo: Vec<(String, &Node)> = docs.iter().map(|d| (String::new(), d)).collect();
        while let Some((path, n)) = todo.pop() {
            let value = match &n.value {
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        todo.push((format!("{path}[{i}]"), item));
                    }
                    "seq".to_string()
                }
                Value::Map(entries) => {
                    for e in entries {
                        out.push(format!(
                            "{path}.{} key@{:?}",
                            e.key,
                            text_of(text, e.key_span)
                        ));
                        todo.push((format!("{path}.{}", e.key), &e.value));
                    }
                    "map".to_string()
                }
                v => format!("{v:?}"),
            };
            out.push(format!("{path} = {value} ({:?})", n.style));
        }
        out
    }

    #[test]
    fn under_indented_quoted_lines_are_read_as_kubectl_reads_them() {
        // `    ]'` is not indented more than its key `a`: invalid YAML, read by kubectl
        let text = "metadata:\n  annotations:\n    a: '[\n        {\"x\": 1}\n    ]'\n    b: c\n";
        let strict = parse(text).unwrap_err();
        assert_eq!(
            strict.message,
            "invalid indentation in multiline quoted scalar"
        );
        let file = SourceFile::new("t.yaml", text);
        let (Stream { docs, .. }, lenient) = parse_documents_as_kubectl(&file).unwrap();
        let at = text.find("    ]'").unwrap() + 4;
        assert_eq!(
            lenient,
            [Leniency {
                span: ByteSpan::new(at, at + 2),
                lines: 1
            }]
        );
        let lc = file.line_col(lenient[0].span.start);
        assert_eq!((lc.line, lc.column), (5, 5));
        let ann = docs[0].get("metadata").unwrap().get("annotations").unwrap();
        assert_eq!(ann.get("a").unwrap().as_str(), Some("[ {\"x\": 1} ]"));
        // every span is the original text's
        let a = ann.get("a").unwrap();
        assert_eq!(text_of(text, a.span), "'[\n        {\"x\": 1}\n    ]'");
        assert_eq!(text_of(text, ann.entry("b").unwrap().key_span), "b");
        assert_eq!(text_of(text, ann.get("b").unwrap().span), "c");
        assert_eq!(
            text_of(text, ann.span),
            &text[text.find("    a:").unwrap() + 4..text.len() - 1]
        );
        // the same values as the strictly valid text
        let fixed = text.replace("    ]'", "      ]'");
        let fixed_docs = parse(&fixed).unwrap();
        let strip = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|l| {
                    l.split(" key@")
                        .next()
                        .unwrap()
                        .split(" (")
                        .next()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(strip(flat(text, &docs)), strip(flat(&fixed, &fixed_docs)));
    }

    #[test]
    fn every_under_indented_line_of_every_scalar_is_read() {
        let text = "- k: \"one\n  two\n\tthree\\\n four\n\n five\"\n  v: \"x\n y\"\n- z\n";
        assert!(parse(text).is_err());
        let file = SourceFile::new("t.yaml", text);
        let (Stream { docs, .. }, lenient) = parse_documents_as_kubectl(&file).unwrap();
        let item = docs[0].index(0).unwrap();
        assert_eq!(
            item.get("k").unwrap().as_str(),
            Some("one two threefour\nfive")
        );
        assert_eq!(item.get("v").unwrap().as_str(), Some("x y"));
        assert_eq!(docs[0].index(1).unwrap().as_str(), Some("z"));
        let got: Vec<(u32, u32, usize)> = lenient
            .iter()
            .map(|l| {
                let lc = file.line_col(l.span.start);
                (lc.line, lc.column, l.lines)
            })
            .collect();
        // `  two` (2) is not deeper than `k` (2); the tab-indented and
        // single-space lines are not either; then ` y` of `v`
        assert_eq!(got, [(2, 3, 4), (8, 2, 1)]);
        assert_eq!(
            text_of(text, item.get("k").unwrap().span),
            &text[5..text.find("\n  v:").unwrap()]
        );
    }

    #[test]
    fn other_errors_are_reported_as_they_are() {
        // under-indented, and a syntax error later: the strict error stands
        let text = "a: 'x\ny'\nb: [1\n";
        let file = SourceFile::new("t.yaml", text);
        assert_eq!(
            parse_documents_as_kubectl(&file).unwrap_err(),
            parse(text).unwrap_err()
        );
        let text = "a: [1\n";
        let file = SourceFile::new("t.yaml", text);
        assert_eq!(
            parse_documents_as_kubectl(&file).unwrap_err(),
            parse(text).unwrap_err()
        );
        let (Stream { docs, .. }, lenient) =
            parse_documents_as_kubectl(&SourceFile::new("t", "a: 'x\n y'\n")).unwrap();
        assert!(lenient.is_empty());
        assert_eq!(docs[0].get("a").unwrap().as_str(), Some("x y"));
    }

    /// The real case: kubernetes/kubernetes test/e2e/testing-manifests/statefulset/multivolumezk.
    #[test]
    fn the_multivolumezk_manifest_reads_as_kubectl_reads_it() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../shared/conformance/real/kubernetes__kubernetes/test__e2e__testing-manifests__statefulset__multivolumezk__statefulset.yaml",
        );
        let Ok(text) = std::fs::read_to_string(&path) else {
            return; // the shared corpus is optional
        };
        let file = SourceFile::new("zk.yaml", text.as_str());
        let (Stream { docs, .. }, lenient) = parse_documents_as_kubectl(&file).unwrap();
        let lc = file.line_col(lenient[0].span.start);
        assert_eq!(
            (lenient.len(), lc.line, lc.column, lenient[0].lines),
            (1, 61, 9, 1)
        );
        let fixed = text.replace("\n        ]'\n", "\n         ]'\n");
        let fixed_docs = parse(&fixed).unwrap();
        let ann = |d: &[Node]| {
            d[0].get("spec")
                .unwrap()
                .get("template")
                .unwrap()
                .get("metadata")
                .unwrap()
                .get("annotations")
                .unwrap()
                .get("pod.alpha.kubernetes.io/init-containers")
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(ann(&docs), ann(&fixed_docs));
        let spec = docs[0].get("spec").unwrap();
        assert_eq!(
            text_of(&text, spec.entry("volumeClaimTemplates").unwrap().key_span),
            "volumeClaimTemplates"
        );
    }

    /// Throughput of `parse_documents`, single thread: run with
    /// `STSLINT_YAML_BENCH=DIR cargo test --release --lib yaml::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn throughput() {
        let dir = std::env::var("STSLINT_YAML_BENCH").expect("STSLINT_YAML_BENCH=DIR");
        let files: Vec<SourceFile> = std::fs::read_dir(&dir)
            .expect("a directory")
            .filter_map(|e| {
                let p = e.ok()?.path();
                let text = std::fs::read_to_string(&p).ok()?;
                Some(SourceFile::new(p.display().to_string(), text))
            })
            .collect();
        let bytes: usize = files.iter().map(|f| f.text.len()).sum();
        for round in 0..3 {
            let started = std::time::Instant::now();
            let docs: usize = files
                .iter()
                .filter_map(|f| parse_documents(f).ok())
                .map(|d| d.len())
                .sum();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "round {round}: {} files, {docs} documents, {:.1} MB in {secs:.2} s: {:.1} MB/s",
                files.len(),
                bytes as f64 / 1e6,
                bytes as f64 / 1e6 / secs
            );
        }
    }
}
