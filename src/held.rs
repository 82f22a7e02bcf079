//! Findings as a run holds them until every rule has run: fixed-size records
//! and one block of text, where a [`Finding`](crate::diagnostic::Finding)
//! costs a struct of 150 bytes, an allocation per text and a copy of who its
//! object is.
//!
//! The rules that look at one object report while their file is read; those
//! that look across objects report once every file is read. Every finding is
//! held until both are done (output is sorted across all of them), and at
//! 100,000 files that is about 170,000 findings, held beside the facts at
//! the run's peak. A record names its object by [`ObjId`], and its texts by
//! place in the block: who the object is, which file it is in and whether its
//! annotation suppresses the rule are read from the object's
//! [`Ident`](crate::facts::Ident) when the findings are built, once the
//! facts that only rules needed are gone.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::diagnostic::Severity;
use crate::facts::ObjId;
use crate::source::{ByteSpan, Span};

/// Findings held as records (see the module's doc).
#[derive(Default)]
pub struct Held {
    /// Filled one after the other; a new one starts before a block of text
    /// would pass 4 GiB (its offsets are 32-bit).
    chunks: Vec<Chunk>,
}

#[derive(Default)]
struct Chunk {
    records: Vec<Record>,
    /// Messages, labels, helps, field paths and related messages.
    text: String,
    /// Once the chunk is filled: `text`, LZ4-compressed (it is read once,
    /// to build the findings, and findings of a rule or a batch repeat
    /// themselves: it takes a fifth of the room or less).
    packed: Box<[u8]>,
    related: Vec<(Span, Text)>,
    secrets: Vec<ByteSpan>,
    /// The few findings with a fix: (record index, fix), in order.
    fixes: Vec<(u32, crate::fix::Fix)>,
    /// Static texts (rule ids, fixed labels and helps), each once.
    statics: Vec<&'static str>,
    /// While the chunk is filled: static texts by address, and the texts
    /// that many findings repeat (field paths, labels, helps) by text.
    static_ids: HashMap<(usize, usize), u32>,
    shared_ids: HashMap<Box<str>, Text>,
}

/// A text of a chunk: a static one by number, or a range of its block.
#[derive(Clone, Copy)]
struct Text {
    start: u32,
    len: u32,
}

impl Text {
    /// `len` of a static text (`start` is its number).
    const STATIC: u32 = u32::MAX;
    /// `len` of no text.
    const NONE: u32 = u32::MAX - 1;
    const ABSENT: Text = Text {
        start: 0,
        len: Text::NONE,
    };
}

struct Record {
    /// The object the rule was looking at, and the finding's place among
    /// that object's findings of the rule (see `engine::Order`).
    subject: ObjId,
    seq: u32,
    /// The object reported on.
    on: ObjId,
    bytes: ByteSpan,
    /// A static text; [`Text::ABSENT`] until [`Held::set_rule`].
    rule: Text,
    severity: Option<Severity>,
    message: Text,
    label: Text,
    help: Text,
    field: Text,
    /// Ranges of the chunk's `related` and `secrets`.
    related: (u32, u32),
    secrets: (u32, u32),
}

// A run holds one record per finding to its end: keep them this small.
const _: () = assert!(std::mem::size_of::<Record>() == 80);

/// A finding as a rule reported it, to be held.
pub struct Report<'a> {
    /// `None` for a sink that serves one rule (see [`Held::set_rule`]).
    pub rule: Option<&'static str>,
    pub subject: ObjId,
    pub seq: u32,
    pub on: ObjId,
    pub field: &'a str,
    pub bytes: ByteSpan,
    pub message: &'a str,
    pub label: Option<Note<'a>>,
    pub help: Option<Note<'a>>,
    pub severity: Option<Severity>,
    pub fix: Option<&'a crate::fix::Fix>,
}

/// A label or a help: a static text (kept as a reference), or another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note<'a> {
    Static(&'static str),
    Other(&'a str),
}

impl<'a> Note<'a> {
    /// A borrowed text is a static one: kept as a reference, never copied.
    #[allow(clippy::ptr_arg)] // the variant is what matters, not the text
    pub fn of(text: &'a Cow<'static, str>) -> Self {
        match text {
            Cow::Borrowed(s) => Note::Static(s),
            Cow::Owned(s) => Note::Other(s),
        }
    }

    pub fn to_cow(self) -> Cow<'static, str> {
        match self {
            Note::Static(s) => Cow::Borrowed(s),
            Note::Other(s) => Cow::Owned(s.to_string()),
        }
    }

    fn len(self) -> usize {
        match self {
            Note::Static(_) => 0,
            Note::Other(s) => s.len(),
        }
    }
}

/// A held finding, as [`Held::drain`] gives it back (its rule is set).
pub struct Unpacked<'a> {
    pub report: Report<'a>,
    pub related: Vec<(Span, &'a str)>,
    /// In the file of the object reported on.
    pub secrets: &'a [ByteSpan],
}

/// How much text a chunk takes before it is sealed and the next starts: a
/// rule with many findings holds them compressed as it goes.
const SEAL: usize = 1 << 16;

impl Chunk {
    fn text(&mut self, s: &str) -> Text {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Text {
            start,
            len: s.len() as u32,
        }
    }

    fn fixed(&mut self, s: &'static str) -> Text {
        let n = self.statics.len() as u32;
        let start = *self
            .static_ids
            .entry((s.as_ptr() as usize, s.len()))
            .or_insert(n);
        if start == n {
            self.statics.push(s);
        }
        Text {
            start,
            len: Text::STATIC,
        }
    }

    fn note(&mut self, s: Option<Note<'_>>) -> Text {
        match s {
            None => Text::ABSENT,
            Some(Note::Static(s)) => self.fixed(s),
            Some(Note::Other(s)) => self.shared(s),
        }
    }

    /// A text that many findings repeat, once.
    fn shared(&mut self, s: &str) -> Text {
        if let Some(&t) = self.shared_ids.get(s) {
            return t;
        }
        let t = self.text(s);
        self.shared_ids.insert(s.into(), t);
        t
    }

    /// Done filling: give back spare room, and compress the text.
    fn seal(&mut self) {
        crate::facts::trim(&mut self.records);
        crate::facts::trim(&mut self.related);
        crate::facts::trim(&mut self.secrets);
        crate::facts::trim(&mut self.fixes);
        crate::facts::trim(&mut self.statics);
        let packed = lz4_flex::compress_prepend_size(self.text.as_bytes());
        if packed.len() < self.text.len() {
            self.packed = packed.into_boxed_slice();
            self.text = String::new();
        } else {
            self.text = crate::facts::exact(std::mem::take(&mut self.text)).into();
        }
        self.static_ids = HashMap::new();
        self.shared_ids = HashMap::new();
    }

    /// Decompress the text, if it is compressed. (A block that does not
    /// decompress, which only a bug could make, leaves texts empty.)
    fn unpack(&mut self) {
        if self.packed.is_empty() {
            return;
        }
        let bytes = lz4_flex::decompress_size_prepended(&self.packed).unwrap_or_default();
        self.text = String::from_utf8(bytes).unwrap_or_default();
        self.packed = Box::default();
    }

    fn get(&self, t: Text) -> &str {
        match t.len {
            Text::NONE => "",
            Text::STATIC => self.statics.get(t.start as usize).copied().unwrap_or(""),
            len => self
                .text
                .get(t.start as usize..(t.start + len) as usize)
                .unwrap_or(""),
        }
    }

    fn note_of(&self, t: Text) -> Option<Note<'_>> {
        match t.len {
            Text::NONE => None,
            Text::STATIC => self.statics.get(t.start as usize).map(|&s| Note::Static(s)),
            _ => Some(Note::Other(self.get(t))),
        }
    }
}

impl Held {
    /// Hold a finding; `related` are its related spans and their messages,
    /// `secrets` the spans (in its object's file) whose text is never shown.
    pub fn push<'a>(
        &mut self,
        r: Report<'_>,
        related: impl IntoIterator<Item = (Span, &'a str)>,
        secrets: impl IntoIterator<Item = ByteSpan>,
    ) {
        let related: Vec<(Span, &str)> = related.into_iter().collect();
        let size = r.message.len()
            + r.field.len()
            + r.label.map_or(0, Note::len)
            + r.help.map_or(0, Note::len)
            + related.iter().map(|(_, m)| m.len()).sum::<usize>();
        let full = self
            .chunks
            .last()
            .is_none_or(|c| c.text.len() >= SEAL || c.text.len() + size > u32::MAX as usize);
        if full {
            if let Some(c) = self.chunks.last_mut() {
                c.seal();
            }
            self.chunks.push(Chunk::default());
        }
        let Some(c) = self.chunks.last_mut() else {
            return;
        };
        let rule = r.rule.map_or(Text::ABSENT, |id| c.fixed(id));
        let message = c.text(r.message);
        let label = c.note(r.label);
        let help = c.note(r.help);
        let field = c.shared(r.field);
        let start = c.related.len() as u32;
        for (span, message) in related {
            let m = c.text(message);
            c.related.push((span, m));
        }
        let related = (start, c.related.len() as u32);
        let start = c.secrets.len() as u32;
        c.secrets.extend(secrets);
        let secrets = (start, c.secrets.len() as u32);
        if let Some(fix) = r.fix {
            c.fixes.push((c.records.len() as u32, fix.clone()));
        }
        c.records.push(Record {
            subject: r.subject,
            seq: r.seq,
            on: r.on,
            bytes: r.bytes,
            rule,
            severity: r.severity,
            message,
            label,
            help,
            field,
            related,
            secrets,
        });
    }

    /// Move `other`'s findings after these (into the same chunk: a chunk
    /// per small sink would cost more than its findings).
    pub fn append(&mut self, other: Held) {
        other.drain(|u| {
            let (related, secrets) = (u.related.iter().copied(), u.secrets.iter().copied());
            self.push(u.report, related, secrets);
        });
    }

    /// Name the rule of every finding held without one.
    pub fn set_rule(&mut self, rule: &'static str) {
        for c in &mut self.chunks {
            let mut id = None;
            for i in 0..c.records.len() {
                if c.records[i].rule.len == Text::NONE {
                    let t = *id.get_or_insert_with(|| c.fixed(rule));
                    c.records[i].rule = t;
                }
            }
        }
    }

    /// Number the objects of the held findings from `base` (they were
    /// numbered within their batch).
    pub fn rebase(&mut self, base: u32) {
        for r in self.chunks.iter_mut().flat_map(|c| &mut c.records) {
            r.subject.0 += base;
            r.on.0 += base;
        }
    }

    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.records.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Done filling: give back spare room (the findings are kept to the end
    /// of the run).
    pub fn shrink(&mut self) {
        self.chunks.retain(|c| !c.records.is_empty());
        if let Some(c) = self.chunks.last_mut() {
            c.seal();
        }
        crate::facts::trim(&mut self.chunks);
    }

    /// Every finding, in the order held; each chunk is freed once read.
    pub fn drain(self, mut f: impl FnMut(Unpacked<'_>)) {
        for mut c in self.chunks {
            c.unpack();
            let mut fixes = c.fixes.iter().peekable();
            for (i, r) in c.records.iter().enumerate() {
                let fix = fixes.next_if(|(at, _)| *at == i as u32).map(|(_, f)| f);
                let related = c.related[r.related.0 as usize..r.related.1 as usize]
                    .iter()
                    .map(|&(span, m)| (span, c.get(m)))
                    .collect();
                let report = Report {
                    rule: match r.rule.len {
                        Text::STATIC => c.statics.get(r.rule.start as usize).copied(),
                        _ => None,
                    },
                    subject: r.subject,
                    seq: r.seq,
                    on: r.on,
                    field: c.get(r.field),
                    bytes: r.bytes,
                    message: c.get(r.message),
                    label: c.note_of(r.label),
                    help: c.note_of(r.help),
                    severity: r.severity,
                    fix,
                };
                f(Unpacked {
                    report,
                    related,
                    secrets: &c.secrets[r.secrets.0 as usize..r.secrets.1 as usize],
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn report<'a>(n: u32, message: &'a str, label: Option<Note<'a>>) -> Report<'a> {
        Report {
            rule: n.is_multiple_of(2).then_some("rule-a"),
            subject: ObjId(n),
            seq: n,
            on: ObjId(n + 1),
            field: if n.is_multiple_of(2) {
                "spec.a"
            } else {
                "spec.b"
            },
            bytes: ByteSpan::new(n as usize, n as usize + 3),
            message,
            label,
            help: None,
            severity: (n == 1).then_some(Severity::Note),
            fix: None,
        }
    }

    /// What is held comes back as it was pushed, through appends, shrinking
    /// and renumbering.
    #[test]
    fn holds_what_was_pushed() {
        let fixed = Note::Static("fixed label");
        let owned = Note::Other("owned label");
        let span = Span {
            file: FileId(7),
            bytes: ByteSpan::new(1, 2),
        };
        let mut a = Held::default();
        a.push(report(0, "first", Some(fixed)), [(span, "see here")], []);
        let mut b = Held::default();
        b.push(report(1, "second", Some(owned)), [], [ByteSpan::new(4, 9)]);
        b.push(report(2, "third", Some(fixed)), [], []);
        a.append(b);
        a.set_rule("rule-b");
        a.shrink();
        a.rebase(10);
        assert_eq!(a.len(), 3);
        let mut got = Vec::new();
        a.drain(|u| {
            got.push(format!(
                "{} {}/{} on {} {} {:?} {} {:?} {:?} {:?} {:?} {:?}",
                u.report.rule.unwrap_or(""),
                u.report.subject.0,
                u.report.seq,
                u.report.on.0,
                u.report.field,
                u.report.bytes,
                u.report.message,
                u.report.label,
                u.report.help,
                u.report.severity,
                u.related,
                u.secrets
            ))
        });
        assert_eq!(
            got,
            [
                "rule-a 10/0 on 11 spec.a ByteSpan { start: 0, end: 3 } first Some(Static(\"fixed label\")) None None [(Span { file: FileId(7), bytes: ByteSpan { start: 1, end: 2 } }, \"see here\")] []",
                "rule-b 11/1 on 12 spec.b ByteSpan { start: 1, end: 4 } second Some(Other(\"owned label\")) None Some(Note) [] [ByteSpan { start: 4, end: 9 }]",
                "rule-a 12/2 on 13 spec.a ByteSpan { start: 2, end: 5 } third Some(Static(\"fixed label\")) None None [] []",
            ]
        );
    }
}
