//! The builder: parser events in, [`Node`] trees out. The events come from
//! the fast path (`fast.rs`) when the file is in its subset, else from
//! granit-parser; the two give the same events for the same text.
//!
//! It resolves scalars, keys, aliases and merge keys the way serde-saphyr did
//! (with our options: YAML 1.2 core schema, strict booleans, leading-zero
//! numbers as strings, duplicate keys kept), so results, spans and error
//! messages are unchanged; `reference.rs` keeps that path for the tests that
//! prove it.
//!
//! Three layers:
//! - [`Live`] pulls parser events, counts them against the [`Budget`], records
//!   anchored nodes and expands aliases by replaying what it recorded;
//! - [`Builder`] turns events into nodes with an explicit stack of open
//!   collections (no recursion, whatever the input's nesting);
//! - merge keys (`<<`) keep the merge value's events and add its entries when
//!   the mapping ends, reading them back through the same builder.

use granit_parser::{Event, Parser, ScalarStyle, ScanError, Span as EventSpan, StrInput, Tag};
use std::borrow::Cow;
use std::collections::HashSet;
use std::rc::Rc;

use super::{clean_message, Entry, Node, Stream, Style, Value, YamlError, MAX_DEPTH};
use crate::source::{ByteSpan, SourceFile};

/// Parse every document of `file`. Empty documents are dropped, and so is a
/// document with a bad value (its error is in [`Stream::dropped`]); an error
/// that stops the parser (a syntax error, a budget exceeded) fails the file.
/// The error that stopped the parser, if one did, comes with what was
/// dropped before it.
pub(super) fn parse(file: &SourceFile) -> (Stream, Option<YamlError>) {
    let mut docs = Vec::new();
    let (dropped, fatal) = parse_each(file, &mut |doc| docs.push(doc));
    (Stream { docs, dropped }, fatal)
}

/// [`parse`], handing each document to `each` as soon as it is read rather
/// than holding them all: a file's memory is then its largest document, not
/// all of them. Returns what was dropped and the error that stopped the
/// parser, if one did; `each` has then seen the documents before it.
pub(super) fn parse_each(
    file: &SourceFile,
    each: &mut dyn FnMut(Node),
) -> (Vec<YamlError>, Option<YamlError>) {
    Builder::new(file, each).run()
}

// --- tags ------------------------------------------------------------------

const YAML_NS: &str = "tag:yaml.org,2002:";

/// What an explicit tag means to the scalar resolution below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TagKind {
    None,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    Timestamp,
    Time,
    Binary,
    Str,
    Merge,
    Value,
    NonSpecific,
    Include,
    Degrees,
    Radians,
    Other,
}

impl TagKind {
    fn of(tag: Option<&Tag>) -> TagKind {
        let Some(tag) = tag else {
            return TagKind::None;
        };
        for prefix in [
            "!include",
            "tag:yaml.org,2002:include",
            "tag:yaml.org,2002:!include",
        ] {
            if let Some(rest) = tag.suffix_in_namespace(prefix) {
                if rest.is_empty() || rest.starts_with('#') {
                    return TagKind::Include;
                }
            }
        }
        if let Some(core) = tag.core_suffix().and_then(core_kind) {
            return core;
        }
        if let Some(suffix) = tag.suffix_in_namespace(YAML_NS) {
            match suffix.as_ref() {
                "merge" => return TagKind::Merge,
                "value" => return TagKind::Value,
                name => return named_kind(name.strip_prefix('!').unwrap_or(name)),
            }
        }
        let Some(suffix) = tag.suffix_in_namespace("!") else {
            return TagKind::Other;
        };
        match suffix.as_ref() {
            "" | "!" => TagKind::NonSpecific,
            "!timestamp" => TagKind::Timestamp,
            "!binary" => TagKind::Binary,
            name => match name.strip_prefix('!') {
                Some(name) => core_kind(name).unwrap_or(TagKind::Other),
                None => named_kind(name),
            },
        }
    }

    /// The node kind the tag requires, if any.
    fn requires(self) -> Option<NodeKind> {
        match self {
            TagKind::Seq => Some(NodeKind::Seq),
            TagKind::Map => Some(NodeKind::Map),
            TagKind::None | TagKind::NonSpecific | TagKind::Other => None,
            _ => Some(NodeKind::Scalar),
        }
    }

    fn forces_string(self) -> bool {
        matches!(self, TagKind::Str | TagKind::NonSpecific)
    }

    fn can_parse_into_string(self) -> bool {
        matches!(
            self,
            TagKind::None
                | TagKind::Str
                | TagKind::Merge
                | TagKind::Value
                | TagKind::Other
                | TagKind::Include
                | TagKind::NonSpecific
        )
    }

    fn is_core(self) -> bool {
        matches!(
            self,
            TagKind::Int
                | TagKind::Float
                | TagKind::Bool
                | TagKind::Null
                | TagKind::Seq
                | TagKind::Map
                | TagKind::Str
        )
    }
}

fn core_kind(name: &str) -> Option<TagKind> {
    Some(match name {
        "null" => TagKind::Null,
        "bool" => TagKind::Bool,
        "int" => TagKind::Int,
        "float" => TagKind::Float,
        "map" => TagKind::Map,
        "seq" => TagKind::Seq,
        "str" => TagKind::Str,
        _ => return None,
    })
}

fn named_kind(name: &str) -> TagKind {
    match name {
        "int" => TagKind::Int,
        "float" => TagKind::Float,
        "bool" => TagKind::Bool,
        "null" => TagKind::Null,
        "seq" => TagKind::Seq,
        "map" => TagKind::Map,
        "str" => TagKind::Str,
        "timestamp" => TagKind::Timestamp,
        "time" => TagKind::Time,
        "binary" => TagKind::Binary,
        "include" => TagKind::Include,
        "degrees" => TagKind::Degrees,
        "radians" => TagKind::Radians,
        _ => TagKind::Other,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Scalar,
    Seq,
    Map,
}

// --- events ----------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scalar,
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
    /// An alias to a node that is still open: a recursive structure.
    RecursiveAlias,
}

/// Where a node is used, when that is not where its text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Direct,
    /// Replayed from an anchor, at this alias (`*name`).
    Alias(ByteSpan),
    /// Copied into a mapping by a merge key, whose value starts here.
    Merge(ByteSpan),
}

/// One node event, as the builder consumes it.
#[derive(Clone, Debug)]
struct Ev<'a> {
    kind: Kind,
    value: Cow<'a, str>,
    style: ScalarStyle,
    tag: TagKind,
    /// The tag as written out by the parser (`Tag`'s `Display`), when there is one.
    raw_tag: Option<Rc<str>>,
    /// The event's own text.
    span: ByteSpan,
    origin: Origin,
}

impl Ev<'_> {
    /// An event with no text of its own (a collection's end, a recursive
    /// alias), at `span`.
    fn marker(kind: Kind, span: ByteSpan) -> Self {
        Ev {
            kind,
            value: Cow::Borrowed(""),
            style: ScalarStyle::Plain,
            tag: TagKind::None,
            raw_tag: None,
            span,
            origin: Origin::Direct,
        }
    }

    fn is_start(&self) -> bool {
        matches!(self.kind, Kind::SeqStart | Kind::MapStart)
    }

    fn is_end(&self) -> bool {
        matches!(self.kind, Kind::SeqEnd | Kind::MapEnd)
    }

    /// Where the node is used: its alias or merge site, else its own text.
    fn reference(&self) -> ByteSpan {
        match self.origin {
            Origin::Alias(s) | Origin::Merge(s) => s,
            Origin::Direct => self.span,
        }
    }

    fn alias_site(&self) -> Option<ByteSpan> {
        match self.origin {
            Origin::Alias(s) => Some(s),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        self.kind == Kind::Scalar && scalar_is_null(self.tag, &self.value, self.style)
    }

    /// Heap bytes a copy of this event owns (what anchor recording is charged).
    fn owned_bytes(&self) -> usize {
        let value = match (&self.kind, &self.value) {
            (Kind::Scalar, Cow::Owned(v)) => v.len(),
            _ => 0,
        };
        value + self.raw_tag.as_deref().map_or(0, str::len)
    }
}

// --- scalar resolution (YAML 1.2 core schema, as serde-saphyr resolves it) --

fn yaml_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

fn nullish(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn scalar_is_null(tag: TagKind, value: &str, style: ScalarStyle) -> bool {
    tag == TagKind::Null
        || (!tag.is_core()
            && !tag.forces_string()
            && !matches!(
                tag,
                TagKind::Binary
                    | TagKind::Timestamp
                    | TagKind::Time
                    | TagKind::Degrees
                    | TagKind::Radians
            )
            && nullish(value, style))
}

fn parse_bool(s: &str) -> Option<bool> {
    match yaml_trim(s) {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Digits with single `_` separators between them.
fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut val: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let prev_ok = i > 0 && bytes[i - 1] != b'_';
            let next_ok = i + 1 < bytes.len() && bytes[i + 1] != b'_';
            if !prev_ok || !next_ok {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(radix)?;
        val = val
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(val)
}

fn radix_and_digits(rest: &str) -> (u32, &str) {
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(d) = rest.strip_prefix(prefix) {
            return (radix, d);
        }
    }
    (10, rest)
}

/// An integer as magnitude and sign, or `None` if the text is not one
/// (decimal without leading zeros, `0x`, `0o`, `0b`, `_` separators).
fn parse_int(t: &str) -> Option<(bool, u128)> {
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    // Decimal digits reject a-f by radix; `to_digit` handles that.
    parse_digits(digits, radix).map(|m| (neg, m))
}

fn parse_i64(t: &str) -> Option<i64> {
    let (neg, m) = parse_int(t)?;
    if neg {
        if m == (i64::MAX as u128) + 1 {
            Some(i64::MIN)
        } else {
            i64::try_from(m).ok().map(|v| -v)
        }
    } else {
        i64::try_from(m).ok()
    }
}

fn parse_u64(t: &str) -> Option<u64> {
    if t.starts_with('-') {
        return None;
    }
    let (_, m) = parse_int(t)?;
    u64::try_from(m).ok()
}

fn leading_zero_decimal(t: &str) -> bool {
    let s = yaml_trim(t);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A YAML 1.2 float, including a literal too large for `f64` (as infinity).
fn parse_float(s: &str) -> Option<f64> {
    let t = yaml_trim(s);
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        // `inf`, `nan`, `infinity` parse in Rust but are strings in YAML; an
        // overflowing numeral is infinite.
        Ok(v) if v.is_infinite() && unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
            Some(v)
        }
        _ => None,
    }
}

fn u64_value(v: u64) -> Value {
    i64::try_from(v)
        .map(Value::Int)
        .unwrap_or(Value::Float(v as f64))
}

fn float_value(v: f64, raw: &str) -> Result<Value, String> {
    if v.is_finite() {
        Ok(Value::Float(v))
    } else {
        Err(format!(
            "non-finite float `{raw}` rejected by the configured policy"
        ))
    }
}

const MSG_NULL_KEY: &str = "cannot deserialize null into string; use Option<String>";
const MSG_TAGGED_STRING: &str = "cannot deserialize tagged scalar into string";
const MSG_NOT_STRING_KEY: &str = "expected string scalar";
const MSG_RECURSIVE: &str = "recursive references require weak recursion types";
const MSG_MERGE_VALUE: &str = "YAML merge value must be mapping or sequence of mappings";
const MSG_UNKNOWN_ANCHOR: &str = "alias references unknown anchor";

/// A scalar in a value position (what `deserialize_any` makes of it).
fn scalar_value(value: Cow<'_, str>, style: ScalarStyle, tag: TagKind) -> Result<Value, String> {
    match tag {
        TagKind::Null => return Ok(Value::Null),
        TagKind::Bool => {
            return parse_bool(&value)
                .map(Value::Bool)
                .ok_or_else(|| "invalid boolean (strict mode expects true/false)".to_string())
        }
        TagKind::Int => {
            let t = yaml_trim(&value);
            return if t.starts_with('-') {
                parse_i64(t)
                    .map(Value::Int)
                    .ok_or_else(|| "invalid i64".to_string())
            } else {
                parse_u64(t)
                    .map(u64_value)
                    .ok_or_else(|| "invalid u64".to_string())
            };
        }
        TagKind::Float => {
            let v = parse_float(&value).ok_or_else(|| "invalid floating point".to_string())?;
            return float_value(v, &value);
        }
        TagKind::Time | TagKind::Degrees | TagKind::Radians => {
            return Err("invalid floating point".to_string())
        }
        _ => {}
    }
    if tag == TagKind::None && style == ScalarStyle::Plain {
        // Most plain scalars are words: only these first characters can start
        // a null, a boolean or a number.
        match value.as_bytes().first() {
            None => return Ok(Value::Null),
            Some(
                b'0'..=b'9' | b'+' | b'-' | b'.' | b't' | b'T' | b'f' | b'F' | b'n' | b'N' | b'~',
            ) => {}
            Some(_) => return Ok(Value::Str(value.into_owned())),
        }
    }
    if scalar_is_null(tag, &value, style) {
        return Ok(Value::Null);
    }
    if style != ScalarStyle::Plain
        || !tag.can_parse_into_string()
        || tag == TagKind::Binary
        || tag.forces_string()
    {
        if tag == TagKind::Binary {
            return binary_string(&value).map(Value::Str);
        }
        if !tag.can_parse_into_string() {
            return Err(MSG_TAGGED_STRING.to_string());
        }
        return Ok(Value::Str(value.into_owned()));
    }
    if let Some(b) = parse_bool(&value) {
        return Ok(Value::Bool(b));
    }
    let t = yaml_trim(&value);
    if leading_zero_decimal(t) {
        return Ok(Value::Str(value.into_owned()));
    }
    if t.starts_with('-') {
        if let Some(v) = parse_i64(t) {
            return Ok(Value::Int(v));
        }
    } else if let Some(v) = parse_u64(t) {
        return Ok(u64_value(v));
    }
    if let Some(v) = parse_float(&value) {
        return float_value(v, &value);
    }
    Ok(Value::Str(value.into_owned()))
}

/// A scalar in a key position: keys are strings.
fn scalar_key(value: Cow<'_, str>, style: ScalarStyle, tag: TagKind) -> Result<String, String> {
    if (tag == TagKind::Null || nullish(&value, style)) && !tag.forces_string() {
        return Err(MSG_NULL_KEY.to_string());
    }
    if tag == TagKind::Binary {
        return binary_string(&value);
    }
    if !tag.can_parse_into_string() {
        return Err(MSG_TAGGED_STRING.to_string());
    }
    Ok(value.into_owned())
}

/// A `!!binary` scalar as text.
fn binary_string(s: &str) -> Result<String, String> {
    let bytes = decode_base64(s).ok_or_else(|| "invalid !!binary base64".to_string())?;
    String::from_utf8(bytes).map_err(|_| {
        "!!binary scalar is not valid UTF-8 so cannot be stored into string. If you just use !!binary for documentation/annotation, set ignore_binary_tag_for_string in Options".to_string()
    })
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(b: u8) -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let cleaned: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !cleaned.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(cleaned.len() / 4 * 3);
    let n = cleaned.len() / 4;
    for (i, c) in cleaned.chunks_exact(4).enumerate() {
        let pad = c.iter().rev().take_while(|&&b| b == b'=').count();
        if pad > 0 && i + 1 != n {
            return None;
        }
        let a = val(c[0])?;
        let b = val(c[1])?;
        let c2 = match c[2] {
            b'=' if pad >= 2 => 0,
            b'=' => return None,
            x => val(x)?,
        };
        let d = match c[3] {
            b'=' if pad > 0 => 0,
            b'=' => return None,
            x => val(x)?,
        };
        if (pad == 2 && b & 0x0F != 0) || (pad == 1 && c2 & 0x03 != 0) {
            return None;
        }
        let triple = (a << 18) | (b << 12) | (c2 << 6) | d;
        out.push((triple >> 16) as u8);
        if pad < 2 {
            out.push((triple >> 8) as u8);
        }
        if pad == 0 {
            out.push(triple as u8);
        }
    }
    Some(out)
}

// --- merge keys ------------------------------------------------------------

fn is_merge_key(ev: &Ev<'_>) -> bool {
    ev.kind == Kind::Scalar
        && ev.value == "<<"
        && (ev.tag == TagKind::Merge || (ev.tag == TagKind::None && ev.style == ScalarStyle::Plain))
}

/// Identity of a scalar key for merge-key precedence: integers compare by value,
/// everything else by text and tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum KeyId {
    Int(bool, u128),
    Scalar(String, TagClass),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum TagClass {
    Kind(TagKind),
    Custom(Rc<str>),
}

fn key_id(value: &str, style: ScalarStyle, tag: TagKind, raw_tag: Option<&Rc<str>>) -> KeyId {
    if tag == TagKind::Int || (tag == TagKind::None && style == ScalarStyle::Plain) {
        match parse_int(yaml_trim(value)) {
            // Negative integers down to `i128::MIN`, non-negative ones up to `u128::MAX`.
            Some((true, m)) if m <= (i128::MAX as u128) + 1 => return KeyId::Int(m != 0, m),
            Some((false, m)) => return KeyId::Int(false, m),
            _ => {}
        }
    }
    let tag = if tag == TagKind::None && scalar_is_null(tag, value, style) {
        TagKind::Null
    } else {
        tag
    };
    let class = match (tag, raw_tag) {
        (TagKind::Other, Some(raw)) => TagClass::Custom(raw.clone()),
        (TagKind::None | TagKind::NonSpecific, _) => TagClass::Kind(TagKind::Str),
        (t, _) if t.can_parse_into_string() => TagClass::Kind(TagKind::Str),
        (t, _) => TagClass::Kind(t),
    };
    KeyId::Scalar(value.to_owned(), class)
}

/// How an explicit key was written, to compute its [`KeyId`] if the mapping
/// turns out to have merge keys.
#[derive(Clone, Debug)]
enum KeyForm {
    /// Untagged plain scalar: the key text itself.
    Plain,
    /// Untagged quoted or block scalar.
    Quoted,
    Tagged(Box<(String, ScalarStyle, TagKind, Option<Rc<str>>)>),
}

impl KeyForm {
    fn of(ev: &Ev<'_>) -> KeyForm {
        match (ev.tag, ev.style) {
            (TagKind::None, ScalarStyle::Plain) => KeyForm::Plain,
            (TagKind::None, _) => KeyForm::Quoted,
            _ => KeyForm::Tagged(Box::new((
                ev.value.to_string(),
                ev.style,
                ev.tag,
                ev.raw_tag.clone(),
            ))),
        }
    }

    fn id(&self, key: &str) -> KeyId {
        match self {
            KeyForm::Plain => key_id(key, ScalarStyle::Plain, TagKind::None, None),
            KeyForm::Quoted => key_id(key, ScalarStyle::DoubleQuoted, TagKind::None, None),
            KeyForm::Tagged(t) => key_id(&t.0, t.1, t.2, t.3.as_ref()),
        }
    }
}

/// One `key: value` pair a merge key brings in: event ranges in a captured
/// buffer, and where the merged nodes are used.
#[derive(Clone, Debug)]
struct MergeEntry<'a> {
    buf: Rc<[Ev<'a>]>,
    key: usize,
    value: usize,
    value_end: usize,
    site: ByteSpan,
}

/// The end (exclusive) of the node starting at `i`.
fn node_end(buf: &[Ev<'_>], i: usize) -> usize {
    if !buf[i].is_start() {
        return i + 1;
    }
    let mut depth = 0usize;
    let mut j = i;
    while j < buf.len() {
        if buf[j].is_start() {
            depth += 1;
        } else if buf[j].is_end() {
            depth -= 1;
            if depth == 0 {
                return j + 1;
            }
        }
        j += 1;
    }
    buf.len()
}

/// Where a node inside merged content is used.
fn site_under(ev: &Ev<'_>, site: ByteSpan) -> ByteSpan {
    ev.alias_site().unwrap_or(site)
}

/// The entries a merge value brings in (a mapping, a sequence of mappings, or
/// null), in precedence order: a mapping's own entries, then what its own merge
/// keys bring in. Iterative: merged content nests as deep as the input.
fn merge_entries<'a>(buf: Rc<[Ev<'a>]>, site: ByteSpan) -> Result<Vec<MergeEntry<'a>>, Fail> {
    let mut out = Vec::new();
    let mut todo = vec![(0usize, site)];
    while let Some((i, site)) = todo.pop() {
        let ev = &buf[i];
        match ev.kind {
            Kind::RecursiveAlias => return Err(Fail::at(MSG_RECURSIVE, ev.span)),
            _ if ev.is_null() => {}
            Kind::MapStart => {
                let end = node_end(&buf, i) - 1;
                let mut nested = Vec::new();
                let mut k = i + 1;
                while k < end {
                    let v = node_end(&buf, k);
                    let v_end = node_end(&buf, v);
                    if is_merge_key(&buf[k]) {
                        nested.push((v, site_under(&buf[v], site)));
                    } else {
                        out.push(MergeEntry {
                            buf: buf.clone(),
                            key: k,
                            value: v,
                            value_end: v_end,
                            site,
                        });
                    }
                    k = v_end;
                }
                todo.extend(nested.into_iter().rev());
            }
            Kind::SeqStart => {
                let end = node_end(&buf, i) - 1;
                let mut items = Vec::new();
                let mut k = i + 1;
                while k < end {
                    items.push((k, site_under(&buf[k], site)));
                    k = node_end(&buf, k);
                }
                todo.extend(items.into_iter().rev());
            }
            _ => return Err(Fail::at(MSG_MERGE_VALUE, ev.span)),
        }
    }
    Ok(out)
}

// --- budgets ---------------------------------------------------------------

/// A breached budget; the `Debug` text is the error message's tail.
#[derive(Debug)]
#[allow(dead_code)] // fields are read through Debug
enum Breach {
    Events { events: usize },
    Aliases { aliases: usize },
    Anchors { anchors: usize },
    Depth { depth: usize },
    Documents { documents: usize },
    Nodes { nodes: usize },
    ScalarBytes { total_scalar_bytes: usize },
    MergeKeys { merge_keys: usize },
    AliasAnchorRatio { aliases: usize, anchors: usize },
    SequenceUnbalanced,
    RecordedAnchorEvents { recorded_anchor_events: usize },
    RecordedAnchorBytes { recorded_anchor_bytes: usize },
}

impl Breach {
    fn message(&self) -> String {
        format!("budget breached: {self:?}")
    }
}

const MAX_ALIASES: usize = 50_000;
const MAX_ANCHORS: usize = 50_000;
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;
const MAX_MERGE_KEYS: usize = 10_000;
const MAX_RECORDED_EVENTS: usize = 1_000_000;
const MAX_RECORDED_BYTES: usize = 64 * 1024 * 1024;
const MAX_REPLAYED_EVENTS: usize = 1_000_000;
/// What aliases may add to a file, whatever its documents: at least
/// [`REPLAY_FLOOR`] events, more in proportion to the file's size, never more
/// than [`MAX_REPLAYED_EVENTS`]. So the whole run's expansion is bounded by
/// its input (16 events per byte, plus the floor per file): many files that
/// each sit just under a fixed budget cannot add up to a bomb.
const REPLAY_FLOOR: usize = 100_000;
const REPLAY_PER_BYTE: usize = 16;

fn replay_allowance(len: usize) -> usize {
    REPLAY_FLOOR
        .max(REPLAY_PER_BYTE.saturating_mul(len))
        .min(MAX_REPLAYED_EVENTS)
}

const RATIO_MIN_ALIASES: usize = 100;
const RATIO_MULTIPLIER: usize = 10;

/// Counts what the input costs, including what alias expansion adds, and
/// stops at the first limit exceeded.
struct Budget {
    max_events: usize,
    max_scalar_bytes: usize,
    max_nodes: usize,
    max_documents: usize,
    events: usize,
    nodes: usize,
    documents: usize,
    aliases: usize,
    anchors: usize,
    depth: usize,
    scalar_bytes: usize,
    merge_keys: usize,
    recorded_events: usize,
    recorded_bytes: usize,
    /// Open collections: `Some(expecting_key)` for mappings, with whether the
    /// collection is a mapping value.
    containers: Vec<(Option<bool>, bool)>,
}

impl Budget {
    fn new(len: usize) -> Budget {
        // Budgets scale with the file so that big generated bundles pass, while
        // an alias bomb (tiny text, huge expansion) still breaches `max_nodes`.
        Budget {
            max_events: 1_000_000usize.max(len.saturating_mul(2)),
            // A scalar replayed by aliases counts again: twice the text.
            max_scalar_bytes: MAX_SCALAR_BYTES.max(len.saturating_mul(2)),
            max_nodes: 250_000usize.max(len),
            max_documents: 1_024usize.max(len / 8),
            events: 0,
            nodes: 0,
            documents: 0,
            aliases: 0,
            anchors: 0,
            depth: 0,
            scalar_bytes: 0,
            merge_keys: 0,
            recorded_events: 0,
            recorded_bytes: 0,
            containers: Vec::new(),
        }
    }

    fn event(&mut self) -> Result<(), Breach> {
        self.events += 1;
        if self.events > self.max_events {
            return Err(Breach::Events {
                events: self.events,
            });
        }
        Ok(())
    }

    fn node(&mut self) -> Result<(), Breach> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(Breach::Nodes { nodes: self.nodes });
        }
        Ok(())
    }

    fn bytes(&mut self, n: usize) -> Result<(), Breach> {
        self.scalar_bytes = self.scalar_bytes.saturating_add(n);
        if self.scalar_bytes > self.max_scalar_bytes {
            return Err(Breach::ScalarBytes {
                total_scalar_bytes: self.scalar_bytes,
            });
        }
        Ok(())
    }

    fn anchor(&mut self, anchor: usize) -> Result<(), Breach> {
        if anchor != 0 {
            self.anchors += 1;
            if self.anchors > MAX_ANCHORS {
                return Err(Breach::Anchors {
                    anchors: self.anchors,
                });
            }
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        anchor: usize,
        tag_len: usize,
        merge_tag: bool,
        untagged: bool,
    ) -> Result<(), Breach> {
        self.event()?;
        self.node()?;
        self.bytes(value.len().saturating_add(tag_len))?;
        self.anchor(anchor)?;
        if let Some((Some(expecting_key), _)) = self.containers.last_mut() {
            if *expecting_key {
                if value == "<<" && (merge_tag || (untagged && style == ScalarStyle::Plain)) {
                    self.merge_keys += 1;
                    if self.merge_keys > MAX_MERGE_KEYS {
                        return Err(Breach::MergeKeys {
                            merge_keys: self.merge_keys,
                        });
                    }
                }
                *expecting_key = false;
            } else {
                *expecting_key = true;
            }
        }
        Ok(())
    }

    fn start(&mut self, map: bool, anchor: usize, tag_len: usize) -> Result<(), Breach> {
        self.event()?;
        self.node()?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Breach::Depth { depth: self.depth });
        }
        self.bytes(tag_len)?;
        let from_value = match self.containers.last_mut() {
            Some((Some(expecting_key), _)) if *expecting_key => {
                *expecting_key = false;
                false
            }
            Some((Some(_), _)) => true,
            _ => false,
        };
        self.containers.push((map.then_some(true), from_value));
        self.anchor(anchor)
    }

    fn end(&mut self) -> Result<(), Breach> {
        self.event()?;
        self.depth = self
            .depth
            .checked_sub(1)
            .ok_or(Breach::SequenceUnbalanced)?;
        let Some((_, from_value)) = self.containers.pop() else {
            return Err(Breach::SequenceUnbalanced);
        };
        if from_value {
            if let Some((Some(expecting_key), _)) = self.containers.last_mut() {
                *expecting_key = true;
            }
        }
        Ok(())
    }

    fn alias(&mut self) -> Result<(), Breach> {
        self.event()?;
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            return Err(Breach::Aliases {
                aliases: self.aliases,
            });
        }
        Ok(())
    }

    fn document(&mut self) -> Result<(), Breach> {
        self.event()?;
        self.documents += 1;
        if self.documents > self.max_documents {
            return Err(Breach::Documents {
                documents: self.documents,
            });
        }
        Ok(())
    }

    /// One event copied into an anchor's recording.
    fn recorded(&mut self, bytes: usize) -> Result<(), Breach> {
        self.recorded_events += 1;
        if self.recorded_events > MAX_RECORDED_EVENTS {
            return Err(Breach::RecordedAnchorEvents {
                recorded_anchor_events: self.recorded_events,
            });
        }
        self.recorded_bytes = self.recorded_bytes.saturating_add(bytes);
        if self.recorded_bytes > MAX_RECORDED_BYTES {
            return Err(Breach::RecordedAnchorBytes {
                recorded_anchor_bytes: self.recorded_bytes,
            });
        }
        Ok(())
    }

    /// The check made once the whole stream is read: many aliases to few anchors.
    fn ratio(&self) -> Result<(), Breach> {
        if self.aliases >= RATIO_MIN_ALIASES
            && (self.anchors == 0 || self.aliases > RATIO_MULTIPLIER.saturating_mul(self.anchors))
        {
            return Err(Breach::AliasAnchorRatio {
                aliases: self.aliases,
                anchors: self.anchors,
            });
        }
        Ok(())
    }
}

// --- errors ----------------------------------------------------------------

/// An error at a byte span (the start is reported).
struct Fail {
    message: String,
    at: ByteSpan,
    /// Set for errors inside an alias expansion: reported at the alias, with
    /// where the anchored node is defined.
    alias: Option<(ByteSpan, ByteSpan)>,
    /// A scanner error, located by line and column.
    scan: Option<(usize, usize)>,
    /// The rest of the file cannot be read: a scanner error (the parser
    /// cannot resynchronise) or a budget exceeded. Any other error is in a
    /// value and costs only its document.
    fatal: bool,
}

impl Fail {
    fn at(message: impl Into<String>, at: ByteSpan) -> Fail {
        Fail {
            message: message.into(),
            at,
            alias: None,
            scan: None,
            fatal: false,
        }
    }

    fn fatal(message: impl Into<String>, at: ByteSpan) -> Fail {
        Fail {
            fatal: true,
            ..Fail::at(message, at)
        }
    }

    fn breach(b: Breach, at: ByteSpan) -> Fail {
        Fail::fatal(b.message(), at)
    }

    fn scan(e: &ScanError) -> Fail {
        let m = e.marker();
        let message = if matches!(e.kind(), granit_parser::ErrorKind::UnknownAnchor) {
            MSG_UNKNOWN_ANCHOR.to_string()
        } else {
            e.info()
        };
        Fail {
            message,
            at: ByteSpan::default(),
            alias: None,
            scan: Some((m.line(), m.col())),
            fatal: true,
        }
    }

    fn into_error(self, file: &SourceFile) -> YamlError {
        let mut message = clean_message(&self.message);
        if let Some((line, col)) = self.scan {
            let offset = (line > 0).then(|| file.offset_of(line as u32, col as u32 + 1));
            return YamlError { message, offset };
        }
        let mut at = self.at;
        if let Some((site, defined)) = self.alias {
            if site != defined {
                let lc = file.line_col(defined.start);
                message.push_str(&format!(
                    " (defined at line {}, column {})",
                    lc.line, lc.column
                ));
                at = site;
            }
        }
        YamlError {
            message,
            offset: Some(at.start),
        }
    }
}

// --- the live event source: parser, anchors, alias replay, budgets --------

/// An anchored collection still open: its events so far.
struct Recording<'a> {
    id: usize,
    depth: usize,
    events: Vec<Ev<'a>>,
}

/// An alias being expanded.
struct Replaying<'a> {
    events: Rc<[Ev<'a>]>,
    next: usize,
    site: ByteSpan,
}

/// Where parser events come from.
enum Source<'a> {
    /// All of them, read by the fast path.
    Read(std::vec::IntoIter<(Event<'a>, ByteSpan)>),
    Granit(Box<Parser<'a, StrInput<'a>>>),
}

struct Live<'a> {
    source: Source<'a>,
    len: usize,
    budget: Budget,
    /// Recorded anchored nodes of the current document, by anchor id.
    anchors: Vec<Option<Rc<[Ev<'a>]>>>,
    recording: Vec<Recording<'a>>,
    replaying: Option<Replaying<'a>>,
    /// Events replayed from aliases in the current document.
    replayed: usize,
    /// Events replayed from aliases in the whole file, and how many it may
    /// replay: a share of the run's budget in proportion to its size.
    replayed_in_file: usize,
    max_replayed_in_file: usize,
    /// The last parser event (end-of-stream checks are reported there).
    last: ByteSpan,
}

fn byte_span(span: &EventSpan, len: usize) -> ByteSpan {
    match (span.start.byte_offset(), span.end.byte_offset()) {
        (Some(s), Some(e)) => {
            let s = s.min(len);
            ByteSpan::new(s, e.max(s).min(len))
        }
        _ => ByteSpan::default(),
    }
}

fn tag_len(tag: Option<&Tag>) -> usize {
    tag.map_or(0, |t| {
        let (h, s) = t.parts();
        h.len() + s.len()
    })
}

fn check_tag(kind: TagKind, tag: Option<&Tag>, node: NodeKind, at: ByteSpan) -> Result<(), Fail> {
    match kind.requires() {
        Some(required) if required != node => {
            let message = if kind == TagKind::Include {
                "!include currently only supports the scalar form: !include <path>".to_string()
            } else {
                format!(
                    "unsupported tag `{}`",
                    tag.map(Tag::original).unwrap_or_default()
                )
            };
            Err(Fail::at(message, at))
        }
        _ => Ok(()),
    }
}

impl<'a> Live<'a> {
    /// Events from the fast path when `text` is in its subset, else from granit-parser.
    fn new(text: &'a str) -> Live<'a> {
        let source = match super::fast::events(text) {
            Some(events) => Source::Read(events.into_iter()),
            None => {
                let mut options = granit_parser::Options::default();
                options.emit_comments = false;
                options.block_nesting_limit = options.block_nesting_limit.max(MAX_DEPTH + 1);
                Source::Granit(Box::new(Parser::new_from_str_with_options(text, options)))
            }
        };
        Live {
            source,
            len: text.len(),
            budget: Budget::new(text.len()),
            anchors: Vec::new(),
            recording: Vec::new(),
            replaying: None,
            replayed: 0,
            replayed_in_file: 0,
            max_replayed_in_file: replay_allowance(text.len()),
            last: ByteSpan::default(),
        }
    }

    fn reset_document(&mut self) {
        self.anchors.clear();
        self.recording.clear();
        self.replaying = None;
        self.replayed = 0;
    }

    /// Copy `ev` into the open anchored collections, except the newest one when
    /// `skip_newest` (`ev` opened it).
    fn record(&mut self, ev: &Ev<'a>, skip_newest: bool) -> Result<(), Breach> {
        let n = self.recording.len() - usize::from(skip_newest);
        for i in 0..n {
            self.budget.recorded(ev.owned_bytes())?;
            self.recording[i].events.push(ev.clone());
        }
        Ok(())
    }

    fn set_anchor(&mut self, id: usize, events: Rc<[Ev<'a>]>) {
        if id >= self.anchors.len() {
            self.anchors.resize_with(id + 8, || None);
        }
        self.anchors[id] = Some(events);
    }

    /// The next node event: from the alias being expanded, else from the parser.
    fn next(&mut self) -> Result<Option<Ev<'a>>, Fail> {
        loop {
            if let Some(r) = &mut self.replaying {
                if r.next < r.events.len() {
                    let mut ev = r.events[r.next].clone();
                    r.next += 1;
                    ev.origin = Origin::Alias(r.site);
                    self.replay(&ev)?;
                    return Ok(Some(ev));
                }
                self.replaying = None;
            }
            let (event, own) = match &mut self.source {
                Source::Read(events) => match events.next() {
                    None => return Ok(None),
                    Some(x) => x,
                },
                Source::Granit(parser) => match parser.next() {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(Fail::scan(&e)),
                    Some(Ok((event, span))) => (event, byte_span(&span, self.len)),
                },
            };
            self.last = own;
            let breach = |b: Breach| Fail::breach(b, own);
            match event {
                Event::Scalar(value, style, anchor, tag) => {
                    let tag = tag.as_deref();
                    let kind = TagKind::of(tag);
                    self.budget
                        .scalar(
                            &value,
                            style,
                            anchor,
                            tag_len(tag),
                            kind == TagKind::Merge,
                            tag.is_none(),
                        )
                        .map_err(breach)?;
                    check_tag(kind, tag, NodeKind::Scalar, own)?;
                    let ev = Ev {
                        kind: Kind::Scalar,
                        value,
                        style,
                        tag: kind,
                        raw_tag: tag.map(|t| Rc::from(t.to_string())),
                        span: own,
                        origin: Origin::Direct,
                    };
                    if !self.recording.is_empty() {
                        self.record(&ev, false).map_err(breach)?;
                    }
                    if anchor != 0 {
                        self.budget.recorded(ev.owned_bytes()).map_err(breach)?;
                        self.set_anchor(anchor, Rc::from(vec![ev.clone()]));
                    }
                    return Ok(Some(ev));
                }
                Event::SequenceStart(_, anchor, ref tag)
                | Event::MappingStart(_, anchor, ref tag) => {
                    let map = matches!(event, Event::MappingStart(..));
                    let tag = tag.as_deref();
                    let kind = TagKind::of(tag);
                    self.budget
                        .start(map, anchor, tag_len(tag))
                        .map_err(breach)?;
                    let node = if map { NodeKind::Map } else { NodeKind::Seq };
                    check_tag(kind, tag, node, own)?;
                    let ev = Ev {
                        kind: if map { Kind::MapStart } else { Kind::SeqStart },
                        value: Cow::Borrowed(""),
                        style: ScalarStyle::Plain,
                        tag: kind,
                        raw_tag: tag.map(|t| Rc::from(t.to_string())),
                        span: own,
                        origin: Origin::Direct,
                    };
                    for r in &mut self.recording {
                        r.depth += 1;
                    }
                    if anchor != 0 {
                        self.budget.recorded(ev.owned_bytes()).map_err(breach)?;
                        self.recording.push(Recording {
                            id: anchor,
                            depth: 1,
                            events: vec![ev.clone()],
                        });
                        self.record(&ev, true).map_err(breach)?;
                    } else if !self.recording.is_empty() {
                        self.record(&ev, false).map_err(breach)?;
                    }
                    return Ok(Some(ev));
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    self.budget.end().map_err(breach)?;
                    let ev = Ev::marker(
                        if matches!(event, Event::MappingEnd) {
                            Kind::MapEnd
                        } else {
                            Kind::SeqEnd
                        },
                        own,
                    );
                    if !self.recording.is_empty() {
                        self.record(&ev, false).map_err(breach)?;
                        for r in &mut self.recording {
                            r.depth = r.depth.saturating_sub(1);
                        }
                        while self.recording.last().is_some_and(|r| r.depth == 0) {
                            let Some(done) = self.recording.pop() else {
                                break;
                            };
                            self.set_anchor(done.id, Rc::from(done.events));
                        }
                    }
                    return Ok(Some(ev));
                }
                Event::Alias(id) => {
                    self.budget.alias().map_err(breach)?;
                    if self.recording.iter().any(|r| r.id == id) {
                        let ev = Ev::marker(Kind::RecursiveAlias, own);
                        self.record(&ev, false).map_err(breach)?;
                        return Ok(Some(ev));
                    }
                    let Some(events) = self.anchors.get(id).cloned().flatten() else {
                        return Err(Fail::at(MSG_UNKNOWN_ANCHOR, own));
                    };
                    self.replaying = Some(Replaying {
                        events,
                        next: 0,
                        site: own,
                    });
                }
                Event::DocumentStart(..) => {
                    self.budget.document().map_err(breach)?;
                    self.reset_document();
                }
                Event::DocumentEnd => {
                    self.budget.event().map_err(breach)?;
                    self.reset_document();
                }
                Event::StreamStart | Event::StreamEnd => {
                    self.budget.event().map_err(breach)?;
                }
                _ => {}
            }
        }
    }

    /// The checks an event replayed from an alias goes through.
    fn replay(&mut self, ev: &Ev<'a>) -> Result<(), Fail> {
        self.replayed += 1;
        self.replayed_in_file += 1;
        if self.replayed_in_file > self.max_replayed_in_file {
            return Err(Fail::fatal(
                format!(
                    "alias expansion limit exceeded: aliases replay more than {} events in this file ({REPLAY_PER_BYTE} per byte of the file, at least {REPLAY_FLOOR})",
                    self.max_replayed_in_file
                ),
                ev.alias_site().unwrap_or(ev.span),
            ));
        }
        if self.replayed > MAX_REPLAYED_EVENTS {
            return Err(Fail::fatal(
                format!(
                    "alias replay limit exceeded: total_replayed_events={} > {MAX_REPLAYED_EVENTS}",
                    self.replayed
                ),
                ev.span,
            ));
        }
        let b = &mut self.budget;
        let merge = ev.tag == TagKind::Merge;
        let checked = match ev.kind {
            Kind::Scalar => b.scalar(
                &ev.value,
                ev.style,
                0,
                // A replayed `!!merge` keeps its tag, spelled out in full.
                if merge {
                    YAML_NS.len() + "merge".len()
                } else {
                    0
                },
                merge,
                !merge,
            ),
            Kind::RecursiveAlias => b.scalar("", ScalarStyle::Plain, 0, 0, false, true),
            Kind::SeqStart => b.start(false, 0, 0),
            Kind::MapStart => b.start(true, 0, 0),
            Kind::SeqEnd | Kind::MapEnd => b.end(),
        };
        // A breach here is reported at the alias, saying where the anchor is.
        let at_alias = |b: Breach| Fail {
            alias: ev.alias_site().map(|site| (site, ev.span)),
            ..Fail::breach(b, ev.span)
        };
        checked.map_err(at_alias)?;
        if !self.recording.is_empty() {
            self.record(ev, false).map_err(at_alias)?;
        }
        Ok(())
    }
}

// --- the builder -------------------------------------------------------------

/// A collection being built.
struct Open {
    /// The first event's own text (where the node is defined).
    own: ByteSpan,
    /// The alias it is replayed at, if any.
    alias: Option<ByteSpan>,
    /// The node's span so far.
    span: ByteSpan,
    /// Where its children start on the shared child stack.
    start: usize,
}

struct MapOpen<'a> {
    open: Open,
    /// A key waiting for its value.
    key: Option<(String, ByteSpan)>,
    /// The next node is the value of a merge key.
    merge_value: bool,
    /// Where this mapping's key forms start on the shared stack.
    forms: usize,
    merges: Vec<MergeEntry<'a>>,
    flush: Option<Flush>,
}

/// Merged entries being added at the mapping's end.
struct Flush {
    next: usize,
    seen: HashSet<KeyId>,
}

enum Purpose {
    /// A sequence or mapping used as a key: an error once read.
    ComplexKey,
    /// A mapping that is a merge value.
    MergeValue { site: ByteSpan },
    /// An item of a sequence that is a merge value.
    MergeItem { site: ByteSpan },
}

enum Frame<'a> {
    Seq(Open),
    Map(MapOpen<'a>),
    /// Events kept as they are, for a merge key or a complex key.
    Capture {
        events: Vec<Ev<'a>>,
        depth: usize,
        purpose: Purpose,
    },
    /// A sequence that is a merge value.
    MergeSeq(Vec<MergeEntry<'a>>),
}

/// Merged content being read back.
struct Replay<'a> {
    events: Rc<[Ev<'a>]>,
    next: usize,
    end: usize,
    site: ByteSpan,
}

struct Builder<'a> {
    file: &'a SourceFile,
    live: Live<'a>,
    replays: Vec<Replay<'a>>,
    frames: Vec<Frame<'a>>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    forms: Vec<KeyForm>,
    /// Where each document goes once it is read.
    each: &'a mut dyn FnMut(Node),
}

impl<'a> Builder<'a> {
    fn new(file: &'a SourceFile, each: &'a mut dyn FnMut(Node)) -> Self {
        let text: &'a str = &file.text;
        Builder {
            file,
            live: Live::new(text),
            replays: Vec::new(),
            frames: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            forms: Vec::new(),
            each,
        }
    }

    fn run(mut self) -> (Vec<YamlError>, Option<YamlError>) {
        let mut dropped = Vec::new();
        let fatal = self.read(&mut dropped).err();
        (dropped, fatal)
    }

    fn read(&mut self, dropped: &mut Vec<YamlError>) -> Result<(), YamlError> {
        // The document being skipped after an error in one of its values.
        let mut skipping: Option<usize> = None;
        loop {
            let next = self.next_event();
            if skipping.is_some_and(|d| d == self.live.budget.documents) {
                match next {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(f) if !f.fatal => continue,
                    Err(f) => return Err(self.wrap(f, None).into_error(self.file)),
                }
            }
            skipping = None;
            let failed = match next {
                Ok(Some(ev)) => match self.handle(ev) {
                    Ok(()) => continue,
                    Err(f) => f,
                },
                Ok(None) => break,
                Err(f) => self.wrap(f, None),
            };
            if failed.fatal {
                return Err(failed.into_error(self.file));
            }
            // A bad value costs its own document only: forget what was built
            // of it and read on from the next one.
            dropped.push(failed.into_error(self.file));
            self.frames.clear();
            self.items.clear();
            self.entries.clear();
            self.forms.clear();
            self.replays.clear();
            skipping = Some(self.live.budget.documents);
        }
        if let Err(b) = self.live.budget.ratio() {
            return Err(Fail::breach(b, self.live.last).into_error(self.file));
        }
        Ok(())
    }

    fn next_event(&mut self) -> Result<Option<Ev<'a>>, Fail> {
        if let Some(r) = self.replays.last_mut() {
            if r.next < r.end {
                let mut ev = r.events[r.next].clone();
                r.next += 1;
                if ev.alias_site().is_none() {
                    ev.origin = Origin::Merge(r.site);
                }
                return Ok(Some(ev));
            }
        }
        self.live.next()
    }

    /// Report `f` the way an error inside an alias expansion is reported: at
    /// the outermost alias being expanded (or `node`, if it came from one).
    fn wrap(&self, mut f: Fail, node: Option<&Ev<'_>>) -> Fail {
        if f.scan.is_some() {
            return f;
        }
        let outer = self
            .frames
            .iter()
            .find_map(|fr| match fr {
                Frame::Seq(o) | Frame::Map(MapOpen { open: o, .. }) => o.alias.map(|s| (s, o.own)),
                _ => None,
            })
            .or_else(|| node.and_then(|ev| ev.alias_site().map(|s| (s, ev.span))));
        if let Some((site, defined)) = outer {
            match f.alias {
                Some((s, _)) if s != site => {}
                _ => f.alias = Some((site, defined)),
            }
        }
        f
    }

    fn handle(&mut self, ev: Ev<'a>) -> Result<(), Fail> {
        let Some(top) = self.frames.last_mut() else {
            // A document's root: a null root is an empty document, dropped.
            if ev.kind == Kind::Scalar && ev.tag != TagKind::Other && ev.is_null() {
                return Ok(());
            }
            return self.value(ev);
        };
        match top {
            Frame::Capture { events, depth, .. } => {
                if ev.is_start() {
                    *depth += 1;
                } else if ev.is_end() {
                    *depth -= 1;
                }
                events.push(ev);
                if *depth == 0 {
                    let Some(Frame::Capture {
                        events, purpose, ..
                    }) = self.frames.pop()
                    else {
                        unreachable!()
                    };
                    return self.captured(events, purpose);
                }
                Ok(())
            }
            Frame::MergeSeq(_) => {
                if ev.kind == Kind::SeqEnd {
                    let Some(Frame::MergeSeq(entries)) = self.frames.pop() else {
                        unreachable!()
                    };
                    let m = self.map();
                    m.merges.extend(entries);
                    m.merge_value = false;
                    return Ok(());
                }
                let site = ev.reference();
                self.capture(ev, Purpose::MergeItem { site })
            }
            Frame::Seq(_) => {
                if ev.kind == Kind::SeqEnd {
                    let Some(Frame::Seq(o)) = self.frames.pop() else {
                        unreachable!()
                    };
                    let items = self.items.split_off(o.start);
                    return self.deliver(Node {
                        span: o.span,
                        value: Value::Seq(items),
                        style: Style::Plain,
                    });
                }
                self.value(ev)
            }
            Frame::Map(m) => {
                if m.merge_value {
                    return self.merge_value(ev);
                }
                if m.key.is_some() {
                    return self.value(ev);
                }
                match ev.kind {
                    Kind::MapEnd => self.end_map(),
                    Kind::Scalar if is_merge_key(&ev) => {
                        m.merge_value = true;
                        Ok(())
                    }
                    Kind::Scalar => {
                        let form = KeyForm::of(&ev);
                        let site = ev.reference();
                        let key = scalar_key(ev.value, ev.style, ev.tag)
                            .map_err(|msg| Fail::at(msg, ev.span));
                        let key = match key {
                            Ok(k) => k,
                            Err(f) => return Err(self.wrap(f, None)),
                        };
                        m.key = Some((key, site));
                        self.forms.push(form);
                        Ok(())
                    }
                    Kind::SeqStart | Kind::MapStart => self.capture(ev, Purpose::ComplexKey),
                    _ => Err(self.wrap(Fail::at(MSG_RECURSIVE, ev.span), None)),
                }
            }
        }
    }

    fn map(&mut self) -> &mut MapOpen<'a> {
        match self.frames.last_mut() {
            Some(Frame::Map(m)) => m,
            _ => unreachable!("a merge value belongs to a mapping"),
        }
    }

    fn capture(&mut self, ev: Ev<'a>, purpose: Purpose) -> Result<(), Fail> {
        if ev.is_start() {
            self.frames.push(Frame::Capture {
                events: vec![ev],
                depth: 1,
                purpose,
            });
            return Ok(());
        }
        self.captured(vec![ev], purpose)
    }

    fn captured(&mut self, events: Vec<Ev<'a>>, purpose: Purpose) -> Result<(), Fail> {
        match purpose {
            Purpose::ComplexKey => {
                let f = match events[0].kind {
                    Kind::RecursiveAlias => Fail::at(MSG_RECURSIVE, events[0].span),
                    _ => Fail::at(MSG_NOT_STRING_KEY, events[0].span),
                };
                Err(self.wrap(f, None))
            }
            Purpose::MergeValue { site } => {
                let entries =
                    merge_entries(Rc::from(events), site).map_err(|f| self.wrap(f, None))?;
                let m = self.map();
                m.merges.extend(entries);
                m.merge_value = false;
                Ok(())
            }
            Purpose::MergeItem { site } => {
                let entries =
                    merge_entries(Rc::from(events), site).map_err(|f| self.wrap(f, None))?;
                match self.frames.last_mut() {
                    Some(Frame::MergeSeq(all)) => all.extend(entries),
                    _ => unreachable!("a merge item belongs to a merge sequence"),
                }
                Ok(())
            }
        }
    }

    /// The value of a merge key (`<<`): a mapping, a sequence of them, or null.
    fn merge_value(&mut self, ev: Ev<'a>) -> Result<(), Fail> {
        match ev.kind {
            Kind::RecursiveAlias => Err(self.wrap(Fail::at(MSG_RECURSIVE, ev.span), None)),
            Kind::Scalar if ev.is_null() => {
                self.map().merge_value = false;
                Ok(())
            }
            Kind::MapStart => {
                let site = ev.reference();
                self.capture(ev, Purpose::MergeValue { site })
            }
            Kind::SeqStart => {
                self.frames.push(Frame::MergeSeq(Vec::new()));
                Ok(())
            }
            _ => Err(self.wrap(Fail::at(MSG_MERGE_VALUE, ev.span), None)),
        }
    }

    /// A node in a value position: a document root, a sequence item, a mapping value.
    fn value(&mut self, ev: Ev<'a>) -> Result<(), Fail> {
        match ev.kind {
            Kind::Scalar => {
                let span = ev.reference();
                let style = self.style(&ev);
                let mut ev = ev;
                let text = std::mem::take(&mut ev.value);
                let value = match scalar_value(text, ev.style, ev.tag) {
                    Ok(v) => v,
                    Err(msg) => return Err(self.wrap(Fail::at(msg, ev.span), Some(&ev))),
                };
                self.deliver(Node { span, value, style })
            }
            Kind::SeqStart | Kind::MapStart => {
                let open = Open {
                    own: ev.span,
                    alias: ev.alias_site(),
                    span: ev.reference(),
                    start: 0,
                };
                if ev.kind == Kind::SeqStart {
                    self.frames.push(Frame::Seq(Open {
                        start: self.items.len(),
                        ..open
                    }));
                } else {
                    self.frames.push(Frame::Map(MapOpen {
                        open: Open {
                            start: self.entries.len(),
                            ..open
                        },
                        key: None,
                        merge_value: false,
                        forms: self.forms.len(),
                        merges: Vec::new(),
                        flush: None,
                    }));
                }
                Ok(())
            }
            Kind::RecursiveAlias => Err(self.wrap(Fail::at(MSG_RECURSIVE, ev.span), None)),
            Kind::SeqEnd | Kind::MapEnd => Err(Fail::at("unexpected end of collection", ev.span)),
        }
    }

    fn style(&self, ev: &Ev<'_>) -> Style {
        match ev.origin {
            Origin::Direct if ev.span.is_empty() => Style::Plain,
            Origin::Direct => match ev.style {
                ScalarStyle::Plain => Style::Plain,
                ScalarStyle::SingleQuoted => Style::SingleQuoted,
                ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                _ => Style::Block,
            },
            // Replayed nodes are reported at the alias; merged ones at the start
            // of the merge value (a `{`, a `[`, or an empty span).
            Origin::Alias(_) => Style::Alias,
            Origin::Merge(_) => Style::Plain,
        }
    }

    /// A mapping's end: add what its merge keys bring in, then close it.
    fn end_map(&mut self) -> Result<(), Fail> {
        let m = self.map();
        if m.merges.is_empty() {
            let node = self.close_map();
            return self.deliver(node);
        }
        let start = m.open.start;
        let forms = m.forms;
        let seen: HashSet<KeyId> = self.entries[start..]
            .iter()
            .zip(&self.forms[forms..])
            .map(|(e, form)| form.id(&e.key))
            .collect();
        self.map().flush = Some(Flush { next: 0, seen });
        if self.next_merged()? {
            return Ok(());
        }
        let node = self.close_map();
        self.deliver(node)
    }

    /// Start reading the next merged entry not shadowed by an earlier key;
    /// `false` when there is none left.
    fn next_merged(&mut self) -> Result<bool, Fail> {
        loop {
            let m = self.map();
            let Some(flush) = m.flush.as_mut() else {
                return Ok(false);
            };
            let Some(e) = m.merges.get(flush.next).cloned() else {
                return Ok(false);
            };
            flush.next += 1;
            let kev = &e.buf[e.key];
            match kev.kind {
                Kind::Scalar => {
                    let id = key_id(&kev.value, kev.style, kev.tag, kev.raw_tag.as_ref());
                    if flush.seen.contains(&id) {
                        continue;
                    }
                    let key = match scalar_key(kev.value.clone(), kev.style, kev.tag) {
                        Ok(k) => k,
                        Err(msg) => {
                            let f = Fail::at(msg, kev.span);
                            return Err(self.wrap(f, None));
                        }
                    };
                    flush.seen.insert(id);
                    m.key = Some((key, site_under(kev, e.site)));
                }
                Kind::RecursiveAlias => {
                    let f = Fail::at(MSG_RECURSIVE, kev.span);
                    return Err(self.wrap(f, None));
                }
                _ => {
                    let f = Fail::at(MSG_NOT_STRING_KEY, kev.span);
                    return Err(self.wrap(f, None));
                }
            }
            self.replays.push(Replay {
                events: e.buf.clone(),
                next: e.value,
                end: e.value_end,
                site: e.site,
            });
            return Ok(true);
        }
    }

    fn close_map(&mut self) -> Node {
        let Some(Frame::Map(m)) = self.frames.pop() else {
            unreachable!()
        };
        self.forms.truncate(m.forms);
        let entries = self.entries.split_off(m.open.start);
        Node {
            span: m.open.span,
            value: Value::Map(entries),
            style: Style::Plain,
        }
    }

    /// Hand a finished node to its parent.
    fn deliver(&mut self, mut node: Node) -> Result<(), Fail> {
        loop {
            match self.frames.last_mut() {
                None => {
                    (self.each)(node);
                    return Ok(());
                }
                Some(Frame::Seq(o)) => {
                    o.span = o.span.join(node.span);
                    self.items.push(node);
                    return Ok(());
                }
                Some(Frame::Map(m)) => {
                    let Some((key, key_span)) = m.key.take() else {
                        // The event parser always gives a key before its
                        // value; say so rather than panic if it ever did not.
                        return Err(Fail::fatal("a mapping value without a key", node.span));
                    };
                    let value_span = if node.span.is_empty() {
                        key_span
                    } else {
                        node.span
                    };
                    m.open.span = m.open.span.join(key_span).join(value_span);
                    self.entries.push(Entry {
                        key,
                        key_span,
                        value: node,
                    });
                    if m.flush.is_none() {
                        return Ok(());
                    }
                    self.replays.pop();
                    if self.next_merged()? {
                        return Ok(());
                    }
                    node = self.close_map();
                }
                Some(_) => unreachable!("nodes are delivered to collections"),
            }
        }
    }
}
