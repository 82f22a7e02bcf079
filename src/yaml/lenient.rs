//! Reading what kubectl reads: continuation lines of a multi-line quoted
//! scalar that are not indented more than its key.
//!
//! YAML forbids them (the parser fails with "invalid indentation in multiline
//! quoted scalar"); go-yaml, and so kubectl, reads them. The leading white
//! space of a continuation line is not part of the scalar's value, so indenting
//! such lines changes no value: this module parses a copy with them indented
//! and maps every span back to the original bytes.

use granit_parser::{Event, Parser, StructureStyle};

use super::{build, Documents, Leniency, Node, Read, Value, YamlError, UNDER_INDENTED};
use crate::source::{ByteSpan, SourceFile};

/// A round indents every under-indented line of one scalar and parses the
/// file twice; after this many rounds, or this much parsing, the strict error
/// is reported.
const MAX_ROUNDS: usize = 64;
const MAX_REPARSED_BYTES: usize = 16 << 20;

/// Spaces inserted at line starts of the original text.
#[derive(Default)]
struct Inserts {
    /// (original byte offset of a line start, spaces), by offset.
    at: Vec<(usize, usize)>,
    /// Where each insertion starts in the text with the spaces inserted.
    starts: Vec<usize>,
}

impl Inserts {
    fn add(&mut self, at: usize, spaces: usize) {
        match self.at.binary_search_by_key(&at, |&(o, _)| o) {
            Ok(i) => self.at[i].1 += spaces,
            Err(i) => self.at.insert(i, (at, spaces)),
        }
        let mut added = 0;
        self.starts = self
            .at
            .iter()
            .map(|&(o, n)| {
                added += n;
                o + added - n
            })
            .collect();
    }

    fn apply(&self, text: &str) -> String {
        let added: usize = self.at.iter().map(|&(_, n)| n).sum();
        let mut out = String::with_capacity(text.len() + added);
        let mut from = 0;
        for &(at, n) in &self.at {
            out.push_str(&text[from..at]);
            out.extend(std::iter::repeat_n(' ', n));
            from = at;
        }
        out.push_str(&text[from..]);
        out
    }

    /// The original offset of `x`, an offset in the text with the spaces
    /// inserted (an inserted space maps to the line start it precedes).
    fn original(&self, x: usize) -> usize {
        // the last insertion starting at or before `x`
        let i = self.starts.partition_point(|&s| s <= x);
        if i == 0 {
            return x;
        }
        let (at, n) = self.at[i - 1];
        let start = self.starts[i - 1];
        if x < start + n {
            at
        } else {
            x - (start + n - at)
        }
    }

    fn span(&self, s: ByteSpan) -> ByteSpan {
        ByteSpan::new(
            self.original(s.start as usize),
            self.original(s.end as usize),
        )
    }
}

/// Parse `file`, whose strict parse failed with `error`, with its
/// under-indented quoted-scalar lines indented, if that is all that keeps it
/// from parsing.
///
/// Each round hands its documents to `sink` as it reads them, after a
/// [`Documents::restart`]: only the last round's reach the caller.
pub(super) fn reparse(
    file: &SourceFile,
    error: &YamlError,
    sink: &mut dyn Documents,
) -> Option<Read> {
    let text: &str = &file.text;
    let mut inserts = Inserts::default();
    // Per repaired scalar (by where it starts): the original line starts indented.
    let mut scalars: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut current = text.to_string();
    let mut error = error.clone();
    let rounds = MAX_ROUNDS.min(1 + MAX_REPARSED_BYTES / (2 * text.len()).max(1));
    for _ in 0..rounds {
        if error.message != UNDER_INDENTED {
            return None;
        }
        let (scalar, lines) = plan(&current, error.offset? as usize);
        let scalar = inserts.original(scalar);
        let starts: Vec<usize> = lines
            .iter()
            .map(|&(line, _)| inserts.original(line))
            .collect();
        for (&at, &(_, spaces)) in starts.iter().zip(&lines) {
            inserts.add(at, spaces);
        }
        match scalars.iter_mut().find(|(s, _)| *s == scalar) {
            Some((_, all)) => all.extend(starts),
            None => scalars.push((scalar, starts)),
        }
        current = inserts.apply(text);
        sink.restart();
        let copy = SourceFile::new(file.name.clone(), current.as_str());
        let (mut dropped, fatal) = build::parse_each(&copy, &mut |mut doc| {
            remap(&mut doc, &inserts);
            sink.document(doc);
        });
        match fatal {
            None => {
                for e in &mut dropped {
                    e.offset = e.offset.map(|o| inserts.original(o as usize) as u32);
                }
                let lenient = leniencies(text, scalars);
                return Some(Read { dropped, lenient });
            }
            Some(e) => error = e,
        }
    }
    None
}

/// For the under-indented line at byte `at` of `text`: where its scalar starts
/// (or the line, if that cannot be told), and the lines to indent with how
/// many spaces: that line, and the scalar's other lines no deeper.
fn plan(text: &str, at: usize) -> (usize, Vec<(usize, usize)>) {
    let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line..at].chars().count();
    let (block, last) = before_error(text);
    // More than the enclosing block collection's indentation, and in any case
    // more than the line has now (every round makes progress).
    let target = (block + 1).max(column as isize + 1) as usize;
    // Spaces go before any tab: a tab cannot indent, it can only separate.
    let spaces = |start: usize| text[start..].bytes().take_while(|&b| b == b' ').count();
    let mut lines = Vec::new();
    let scalar = last.and_then(|e| quoted_scalar(text, e, at));
    if let Some((open, close)) = scalar {
        let mut start = open;
        while let Some(i) = text[start..close].find('\n') {
            start += i + 1;
            let rest = text[start..].trim_start_matches([' ', '\t']);
            let blank = rest.is_empty() || rest.starts_with(['\n', '\r']);
            if !blank && spaces(start) < target {
                lines.push((start, target - spaces(start)));
            }
        }
    }
    if !lines.iter().any(|&(l, _)| l == line) {
        lines.push((line, target - spaces(line)));
        lines.sort_unstable();
    }
    (scalar.map_or(line, |(open, _)| open), lines)
}

/// Parse up to the error: the indentation of the innermost block collection
/// open there (-1 at the top level), and the end of the last node event.
fn before_error(text: &str) -> (isize, Option<usize>) {
    let mut options = granit_parser::Options::default();
    options.emit_comments = false;
    let mut open: Vec<Option<isize>> = Vec::new();
    let mut last = None;
    for item in Parser::new_from_str_with_options(text, options) {
        let Ok((event, span)) = item else {
            break;
        };
        let column = span.start.col() as isize;
        match event {
            Event::MappingStart(style, ..) | Event::SequenceStart(style, ..) => {
                open.push((style == StructureStyle::Block).then_some(column));
            }
            Event::MappingEnd | Event::SequenceEnd => {
                open.pop();
            }
            Event::Scalar(..) | Event::Alias(..) => {}
            _ => continue,
        }
        last = span.end.byte_offset();
    }
    let block = open.iter().rev().find_map(|c| *c).unwrap_or(-1);
    (block, last)
}

/// The quoted scalar that starts after byte `from` (after a key's `:`, a `-`,
/// anchors, tags and comments) and contains byte `at`: its opening and
/// closing quotes.
fn quoted_scalar(text: &str, from: usize, at: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    let open = loop {
        match *bytes.get(i)? {
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b'-' | b'?' => i += 1,
            b'#' => i += text[i..].find('\n')?,
            b'&' | b'!' => {
                while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                    i += 1;
                }
            }
            b'"' | b'\'' => break i,
            _ => return None,
        }
    };
    let quote = bytes[open];
    let mut i = open + 1;
    let close = loop {
        match *bytes.get(i)? {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => break i,
            _ => i += 1,
        }
    };
    (open < at && at < close).then_some((open, close))
}

/// Every span of `doc`, from the indented copy back to the original.
fn remap(doc: &mut Node, inserts: &Inserts) {
    let mut todo: Vec<&mut Node> = vec![doc];
    while let Some(node) = todo.pop() {
        node.span = inserts.span(node.span);
        match &mut node.value {
            Value::Seq(items) => todo.extend(items.iter_mut()),
            Value::Map(entries) => {
                for e in entries {
                    e.key_span = inserts.span(e.key_span);
                    todo.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

fn leniencies(text: &str, scalars: Vec<(usize, Vec<usize>)>) -> Vec<Leniency> {
    let mut out: Vec<Leniency> = scalars
        .into_iter()
        .filter_map(|(_, mut lines)| {
            lines.sort_unstable();
            lines.dedup();
            let line = *lines.first()?;
            let rest = &text[line..];
            let start = line + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
            let end = text[start..]
                .find(['\r', '\n'])
                .map_or(text.len(), |i| start + i);
            Some(Leniency {
                span: ByteSpan::new(start, end),
                lines: lines.len(),
            })
        })
        .collect();
    out.sort_by_key(|l| l.span);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserted_spaces_map_back_to_the_original() {
        let text = "a\nbc\nd\n";
        let mut ins = Inserts::default();
        ins.add(2, 2);
        ins.add(5, 1);
        ins.add(2, 1); // a later round, the same line
        let copy = ins.apply(text);
        assert_eq!(copy, "a\n   bc\n d\n");
        let back: Vec<usize> = (0..=copy.len()).map(|x| ins.original(x)).collect();
        assert_eq!(back, [0, 1, 2, 2, 2, 2, 3, 4, 5, 5, 6, 7]);
    }
}
