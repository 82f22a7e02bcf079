//! The fast path: the YAML that manifests are written in, read in one pass.
//!
//! Kubernetes manifests use a small part of YAML: block mappings and
//! sequences, flow collections (JSON among them), plain and quoted one-line
//! scalars, literal block scalars and comments. This reader handles that part
//! and nothing else, and gives exactly the events and byte spans that
//! granit-parser gives for it, so the builder cannot tell the two apart.
//! Anything outside it (anchors, aliases, tags, directives, folded or
//! multi-line scalars, tabs, carriage returns, complex keys, any error) makes
//! it give up, with no event delivered, and the file is read by granit-parser
//! instead. So the fast path changes speed, never a result: the tests compare
//! its events with granit-parser's on every fixture, example and real
//! manifest and on thousands of mutations of them.
//!
//! It reads about 6 times as fast as granit-parser (10k bench files, -j1: 0.43 s
//! against 2.6 s in a profile): it never queues tokens, and a
//! scalar is a slice of the input unless an escape or a block scalar makes a
//! new string.

use std::borrow::Cow;

use granit_parser::{Event, ScalarStyle, StructureStyle};

use crate::source::ByteSpan;

/// Files larger than this go to granit-parser: the events of a whole file are
/// held at once, and big files are rare.
const MAX_BYTES: usize = 1 << 20;

/// Deeper nesting goes to granit-parser, which reports it.
const MAX_NESTING: usize = 64;

/// Implicit keys longer than this are errors in YAML; granit-parser says so.
const MAX_KEY: usize = 1024;

/// The reader gives up: granit-parser reads the file.
#[derive(Debug)]
pub(super) struct GiveUp;

type Read<T = ()> = Result<T, GiveUp>;

/// Every event of `text`, or `None` when the text is not in the subset this
/// reader handles.
pub(super) fn events(text: &str) -> Option<Vec<(Event<'_>, ByteSpan)>> {
    if text.len() > MAX_BYTES || !plain_characters(text.as_bytes()) {
        return None;
    }
    let mut reader = Reader {
        text,
        b: text.as_bytes(),
        pos: 0,
        line_start: 0,
        depth: 0,
        out: Vec::with_capacity(text.len() / 6),
    };
    reader.stream().ok()?;
    Some(reader.out)
}

/// No carriage return, byte-order mark, control or other non-printable
/// character: granit-parser handles (and reports) those.
fn plain_characters(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' | b'\t' | 0x20..=0x7e => {}
            0x00..=0x1f | 0x7f => return false,
            // U+0080..U+009F (C1 controls, NEL among them).
            0xc2 if matches!(b.get(i + 1), Some(0x80..=0x9f)) => return false,
            // U+FEFF (byte-order mark), U+FFFE, U+FFFF.
            0xef if matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
            ) =>
            {
                return false
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// Where a block node starts, relative to its parent's indicator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// The document's root.
    Root,
    /// On a line of its own, below its key or `-`.
    NewLine,
    /// After `- ` on the same line.
    Dash,
    /// After `key: ` on the same line.
    Colon,
}

/// Where a plain scalar stops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// At a `:` that makes it a key.
    Colon,
    /// At a line break.
    LineBreak,
    /// At anything else (a comment, a flow indicator, the end).
    Other,
    /// At a `:` right before a flow indicator, which granit-parser and YAML
    /// read in more than one way: the reader gives up.
    Unsure,
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Where the line holding `pos` starts.
    line_start: usize,
    depth: usize,
    out: Vec<(Event<'a>, ByteSpan)>,
}

fn is_blank_or_end(c: Option<u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\n'))
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    fn emit(&mut self, event: Event<'a>, start: usize, end: usize) {
        self.out.push((event, ByteSpan::new(start, end)));
    }

    fn scalar(&mut self, value: Cow<'a, str>, style: ScalarStyle, start: usize, end: usize) {
        self.emit(Event::Scalar(value, style, 0, None), start, end);
    }

    /// The plain scalar from `pos` to `end`, emitted; `pos` moves to `end`.
    fn plain_to(&mut self, end: usize) {
        let start = self.pos;
        self.pos = end;
        self.scalar(
            Cow::Borrowed(&self.text[start..end]),
            ScalarStyle::Plain,
            start,
            end,
        );
    }

    fn empty(&mut self, at: usize) {
        self.scalar(Cow::Borrowed("~"), ScalarStyle::Plain, at, at);
    }

    fn enter(&mut self) -> Read {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// `---` or `...` at the start of a line, followed by a blank or the end.
    fn at_marker(&self, c: u8) -> bool {
        self.pos == self.line_start
            && self.b[self.pos..].starts_with(&[c, c, c])
            && is_blank_or_end(self.at(self.pos + 3))
    }

    /// At the end of the input or at a document marker: every block node ends.
    fn at_document_end(&self) -> bool {
        self.pos >= self.b.len() || self.at_marker(b'-') || self.at_marker(b'.')
    }

    /// Skip spaces, line breaks and comments up to the next token. A comment
    /// must follow white space (or start a line); tabs make the reader give up.
    fn skip_trivia(&mut self) -> Read {
        let mut blank_before = self.pos == self.line_start
            || matches!(
                self.pos.checked_sub(1).map(|i| self.b[i]),
                Some(b' ' | b'\n')
            );
        while let Some(c) = self.peek() {
            match c {
                b' ' => {
                    self.pos += 1;
                    blank_before = true;
                }
                b'\n' => {
                    self.pos += 1;
                    self.line_start = self.pos;
                    blank_before = true;
                }
                b'#' if blank_before => self.skip_comment(),
                b'\t' => return Err(GiveUp),
                _ => break,
            }
        }
        Ok(())
    }

    /// Skip a comment's text, up to (not over) its line break.
    fn skip_comment(&mut self) {
        self.pos = match memchr(b'\n', &self.b[self.pos..]) {
            Some(i) => self.pos + i,
            None => self.b.len(),
        };
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// After a node on a line: spaces, then a comment, a line break or the end.
    fn end_of_line(&mut self) -> Read {
        let before = self.pos;
        self.skip_spaces();
        match self.peek() {
            None | Some(b'\n') => Ok(()),
            Some(b'#') if self.pos > before => Ok(()),
            _ => Err(GiveUp),
        }
    }

    // --- documents -------------------------------------------------------

    fn stream(&mut self) -> Read {
        self.emit(Event::StreamStart, 0, 0);
        loop {
            self.skip_trivia()?;
            if self.pos >= self.b.len() {
                break;
            }
            if self.at_marker(b'.') || self.peek() == Some(b'%') {
                return Err(GiveUp);
            }
            let doc = self.out.len();
            if self.at_marker(b'-') {
                let start = self.pos;
                self.pos += 3;
                self.emit(Event::DocumentStart(true, None), start, start + 3);
                self.end_of_line()?;
                self.skip_trivia()?;
                if self.at_document_end() {
                    self.empty(start + 3);
                    self.emit(Event::DocumentEnd, start + 3, start + 3);
                    continue;
                }
                self.node(-1, At::Root)?;
            } else {
                self.emit(Event::DocumentStart(false, None), self.pos, self.pos);
                self.node(-1, At::Root)?;
                // An implicit start is where the document's first token is.
                self.out[doc].1 = self.out[doc + 1].1;
            }
            self.skip_trivia()?;
            if !(self.pos >= self.b.len() || self.at_marker(b'-')) {
                return Err(GiveUp);
            }
            // An implicit end is where the document's last event ends.
            let end = self.out.last().map_or(self.pos, |(_, s)| s.end as usize);
            self.emit(Event::DocumentEnd, end, end);
        }
        self.emit(Event::StreamEnd, self.pos, self.pos);
        Ok(())
    }

    // --- block nodes -----------------------------------------------------

    /// The node at `pos` (a token), inside a block collection indented
    /// `parent` (-1 at the root).
    fn node(&mut self, parent: isize, at: At) -> Read {
        let column = self.column();
        let collection_here = at != At::Colon;
        match self.peek() {
            Some(b'-') if is_blank_or_end(self.at(self.pos + 1)) => {
                if !collection_here {
                    return Err(GiveUp);
                }
                self.block_sequence(column, false)
            }
            Some(b'[' | b'{') => {
                self.flow_node(parent)?;
                self.end_of_line()
            }
            Some(b'|') => self.literal(parent),
            Some(b'"' | b'\'') => {
                let start = self.pos;
                let end_of_scalar = self.quoted_end()?;
                let mut after = end_of_scalar;
                while self.at(after) == Some(b' ') {
                    after += 1;
                }
                if self.at(after) == Some(b':') && is_blank_or_end(self.at(after + 1)) {
                    if !collection_here {
                        return Err(GiveUp);
                    }
                    self.pos = start;
                    return self.block_mapping(column);
                }
                self.quoted()?;
                self.end_of_line()
            }
            Some(c) if self.plain_start(c, false) => {
                let (end, stop) = self.plain_extent(false);
                if stop == Stop::Colon {
                    if !collection_here {
                        return Err(GiveUp);
                    }
                    return self.block_mapping(column);
                }
                self.plain_to(end);
                self.end_of_line()
            }
            _ => Err(GiveUp),
        }
    }

    /// A block mapping whose first key is at `pos`, indented `indent`.
    fn block_mapping(&mut self, indent: usize) -> Read {
        self.enter()?;
        self.emit(
            Event::MappingStart(StructureStyle::Block, 0, None),
            self.pos,
            self.pos,
        );
        loop {
            self.block_key()?;
            // At the `:`.
            let colon = self.pos;
            self.pos += 1;
            self.skip_spaces();
            if matches!(self.peek(), None | Some(b'\n' | b'#')) {
                self.skip_trivia()?;
                let column = self.column();
                if self.at_document_end() || column < indent {
                    self.empty(colon);
                } else if column > indent {
                    self.node(indent as isize, At::NewLine)?;
                } else if self.peek() == Some(b'-') && is_blank_or_end(self.at(self.pos + 1)) {
                    self.block_sequence(indent, true)?;
                } else {
                    self.empty(colon);
                }
            } else {
                self.node(indent as isize, At::Colon)?;
            }
            self.skip_trivia()?;
            if self.at_document_end() || self.column() < indent {
                self.emit(Event::MappingEnd, self.pos, self.pos);
                self.depth -= 1;
                return Ok(());
            }
            if self.column() > indent {
                return Err(GiveUp);
            }
        }
    }

    /// A key at `pos`, a quoted or one-line plain scalar (in a flow mapping
    /// when `flow`): emitted, and `pos` left after it.
    fn key(&mut self, flow: bool) -> Read {
        let start = self.pos;
        match self.peek() {
            Some(b'"' | b'\'') => self.quoted()?,
            Some(c) if self.plain_start(c, flow) => {
                let (end, stop) = self.plain_extent(flow);
                let ok = if flow {
                    end > start && !matches!(stop, Stop::LineBreak | Stop::Unsure)
                } else {
                    stop == Stop::Colon
                };
                if !ok {
                    return Err(GiveUp);
                }
                self.plain_to(end);
            }
            _ => return Err(GiveUp),
        }
        if self.pos - start > MAX_KEY {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// A key of a block mapping at `pos`: emitted, and `pos` left at its `:`.
    fn block_key(&mut self) -> Read {
        self.key(false)?;
        self.skip_spaces();
        if self.peek() == Some(b':') && is_blank_or_end(self.at(self.pos + 1)) {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// A block sequence whose first `-` is at `pos`, indented `indent`;
    /// `in_mapping` when it is the value of a key at the same indentation.
    fn block_sequence(&mut self, indent: usize, in_mapping: bool) -> Read {
        self.enter()?;
        if !in_mapping {
            self.emit(
                Event::SequenceStart(StructureStyle::Block, 0, None),
                self.pos,
                self.pos,
            );
        }
        let mut first = true;
        loop {
            // At the `-`.
            self.pos += 1;
            self.skip_spaces();
            if self.peek() == Some(b'#') {
                self.skip_comment();
            }
            // A sequence at its key's indentation starts after its first `-`.
            if first && in_mapping {
                self.emit(
                    Event::SequenceStart(StructureStyle::Block, 0, None),
                    self.pos,
                    self.pos,
                );
            }
            first = false;
            if matches!(self.peek(), None | Some(b'\n')) {
                let here = self.pos;
                self.skip_trivia()?;
                if !self.at_document_end() && self.column() > indent {
                    self.node(indent as isize, At::NewLine)?;
                } else {
                    self.empty(here);
                }
            } else {
                self.node(indent as isize, At::Dash)?;
            }
            self.skip_trivia()?;
            let column = self.column();
            let dash = self.peek() == Some(b'-') && is_blank_or_end(self.at(self.pos + 1));
            if self.at_document_end()
                || column < indent
                || (column == indent && !dash && in_mapping)
            {
                self.emit(Event::SequenceEnd, self.pos, self.pos);
                self.depth -= 1;
                return Ok(());
            }
            if column > indent || !dash {
                return Err(GiveUp);
            }
        }
    }

    // --- scalars ---------------------------------------------------------

    /// Whether a plain scalar can start with `c` (at `pos`).
    fn plain_start(&self, c: u8, flow: bool) -> bool {
        match c {
            b'-' => {
                let next = self.at(self.pos + 1);
                !(is_blank_or_end(next) || flow && next.is_some_and(is_flow_indicator))
            }
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' | b'\t' => false,
            _ => true,
        }
    }

    /// Where the one-line plain scalar at `pos` ends (trailing spaces not
    /// included), and what stops it.
    fn plain_extent(&self, flow: bool) -> (usize, Stop) {
        let b = self.b;
        let mut i = self.pos;
        let stop = loop {
            let Some(&c) = b.get(i) else {
                break Stop::Other;
            };
            match c {
                b'\n' => break Stop::LineBreak,
                b'\t' => break Stop::Other,
                b':' => {
                    let next = b.get(i + 1).copied();
                    if is_blank_or_end(next) {
                        break Stop::Colon;
                    }
                    if flow && next.is_some_and(is_flow_indicator) {
                        break Stop::Unsure;
                    }
                }
                b' ' if b.get(i + 1) == Some(&b'#') => break Stop::Other,
                c if flow && is_flow_indicator(c) => break Stop::Other,
                _ => {}
            }
            i += 1;
        };
        let mut end = i;
        while end > self.pos && b[end - 1] == b' ' {
            end -= 1;
        }
        (end, stop)
    }

    /// Where the quoted scalar at `pos` ends (after its closing quote), if it
    /// stays on one line.
    fn quoted_end(&self) -> Read<usize> {
        let quote = self.b[self.pos];
        let mut i = self.pos + 1;
        loop {
            match self.at(i) {
                None | Some(b'\n') => return Err(GiveUp),
                Some(b'\\') if quote == b'"' => i += 2,
                Some(c) if c == quote => {
                    if quote == b'\'' && self.at(i + 1) == Some(b'\'') {
                        i += 2;
                    } else {
                        return Ok(i + 1);
                    }
                }
                Some(_) => i += 1,
            }
        }
    }

    /// The one-line quoted scalar at `pos`, emitted; `pos` after it.
    fn quoted(&mut self) -> Read {
        let start = self.pos;
        let end = self.quoted_end()?;
        let inner = &self.text[start + 1..end - 1];
        let (value, style) = if self.b[start] == b'"' {
            let value = if inner.contains('\\') {
                Cow::Owned(unescape(inner).ok_or(GiveUp)?)
            } else {
                Cow::Borrowed(inner)
            };
            (value, ScalarStyle::DoubleQuoted)
        } else {
            let value = if inner.contains("''") {
                Cow::Owned(inner.replace("''", "'"))
            } else {
                Cow::Borrowed(inner)
            };
            (value, ScalarStyle::SingleQuoted)
        };
        self.pos = end;
        self.scalar(value, style, start, end);
        Ok(())
    }

    /// A literal block scalar (`|`, `|-`, `|+`) at `pos`, inside a block
    /// collection indented `parent`; `pos` ends at the start of the line after it.
    fn literal(&mut self, parent: isize) -> Read {
        if parent < 0 {
            // At the root, document markers would end it: not in manifests.
            return Err(GiveUp);
        }
        self.pos += 1;
        #[derive(PartialEq)]
        enum Chomp {
            Clip,
            Strip,
            Keep,
        }
        let chomp = match self.peek() {
            Some(b'-') => Chomp::Strip,
            Some(b'+') => Chomp::Keep,
            _ => Chomp::Clip,
        };
        if chomp != Chomp::Clip {
            self.pos += 1;
        }
        self.end_of_line()?;
        self.skip_comment();
        if self.peek() != Some(b'\n') {
            return Err(GiveUp);
        }
        self.pos += 1;
        self.line_start = self.pos;
        // The content's indentation: the first line's (leading empty lines,
        // which YAML lets set it too, are left to granit-parser).
        let b = self.b;
        let first = self.pos;
        let mut i = first;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let indent = i - first;
        if matches!(b.get(i), None | Some(b'\n' | b'\t')) || (indent as isize) <= parent {
            return Err(GiveUp);
        }
        let start = i;
        let mut value = String::new();
        let mut pending_breaks = 0usize;
        let mut line = first;
        // The scalar ends where the first line indented less than its
        // content has its first token (or at the end of the input).
        let (end, next_line) = loop {
            // `line` starts a line; count its spaces.
            let mut j = line;
            while j < line + indent && b.get(j) == Some(&b' ') {
                j += 1;
            }
            match b.get(j) {
                None => break (j, line),
                Some(b'\n') => {
                    pending_breaks += 1;
                    line = j + 1;
                    continue;
                }
                _ if j < line + indent => break (j, line),
                Some(b' ') if content_is_blank(&b[j..]) => return Err(GiveUp),
                _ => {}
            }
            let Some(len) = memchr(b'\n', &b[j..]) else {
                // The last line has no line break.
                return Err(GiveUp);
            };
            for _ in 0..pending_breaks {
                value.push('\n');
            }
            pending_breaks = 0;
            value.push_str(&self.text[j..j + len]);
            value.push('\n');
            line = j + len + 1;
        };
        match chomp {
            Chomp::Clip => {}
            Chomp::Strip => {
                value.pop();
            }
            Chomp::Keep => {
                for _ in 0..pending_breaks {
                    value.push('\n');
                }
            }
        }
        self.scalar(Cow::Owned(value), ScalarStyle::Literal, start, end);
        self.pos = end;
        self.line_start = next_line;
        Ok(())
    }

    // --- flow nodes ------------------------------------------------------

    /// Skip trivia inside a flow collection: lines must stay indented past the
    /// enclosing block collection (`parent`), and no document marker may start.
    fn flow_trivia(&mut self, parent: isize) -> Read {
        let line = self.line_start;
        self.skip_trivia()?;
        if self.line_start != line && ((self.column() as isize) <= parent || self.at_document_end())
        {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// A flow node at `pos`: a collection, a quoted or a plain scalar.
    fn flow_node(&mut self, parent: isize) -> Read {
        match self.peek() {
            Some(b'[') => self.flow_collection(parent, false),
            Some(b'{') => self.flow_collection(parent, true),
            Some(b'"' | b'\'') => self.quoted(),
            Some(c) if self.plain_start(c, true) => {
                let start = self.pos;
                let (end, stop) = self.plain_extent(true);
                if matches!(stop, Stop::Colon | Stop::Unsure) || end == start {
                    return Err(GiveUp);
                }
                self.plain_to(end);
                if stop == Stop::LineBreak {
                    // Only an indicator may follow on a later line; anything
                    // else would continue the scalar.
                    self.flow_trivia(parent)?;
                    if !matches!(self.peek(), Some(b',' | b']' | b'}')) {
                        return Err(GiveUp);
                    }
                }
                Ok(())
            }
            _ => Err(GiveUp),
        }
    }

    /// A flow collection at `pos` (`[` or `{`): entries separated by commas
    /// (a trailing one allowed) up to its closing bracket.
    fn flow_collection(&mut self, parent: isize, map: bool) -> Read {
        self.enter()?;
        let open = self.pos;
        let (start, end, close) = if map {
            (
                Event::MappingStart(StructureStyle::Flow, 0, None),
                Event::MappingEnd,
                b'}',
            )
        } else {
            (
                Event::SequenceStart(StructureStyle::Flow, 0, None),
                Event::SequenceEnd,
                b']',
            )
        };
        self.emit(start, open, open + 1);
        self.pos += 1;
        loop {
            self.flow_trivia(parent)?;
            if self.peek() == Some(close) {
                break;
            }
            if map {
                self.flow_pair(parent)?;
            } else {
                self.flow_node(parent)?;
            }
            self.flow_trivia(parent)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => break,
                _ => return Err(GiveUp),
            }
        }
        self.emit(end, self.pos, self.pos + 1);
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// A `key: value` entry of a flow mapping (or a key alone).
    fn flow_pair(&mut self, parent: isize) -> Read {
        self.key(true)?;
        self.skip_spaces();
        match self.peek() {
            Some(b':') => {
                let colon = self.pos;
                self.pos += 1;
                self.flow_trivia(parent)?;
                match self.peek() {
                    Some(b',' | b'}') => self.empty(colon),
                    _ => self.flow_node(parent)?,
                }
            }
            // A key alone: its value is empty, where the next token is.
            Some(b',' | b'}') => self.empty(self.pos),
            _ => return Err(GiveUp),
        }
        Ok(())
    }
}

/// Whether a line's rest (from a space) holds only spaces up to its break.
fn content_is_blank(rest: &[u8]) -> bool {
    rest.iter().take_while(|&&c| c != b'\n').all(|&c| c == b' ')
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

/// The value of a double-quoted scalar's text with escapes, or `None` for an
/// escape this reader leaves to granit-parser.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        out.push(match e {
            '0' => '\0',
            'a' => '\x07',
            'b' => '\x08',
            't' | '\t' => '\t',
            'n' => '\n',
            'v' => '\x0b',
            'f' => '\x0c',
            'r' => '\r',
            'e' => '\x1b',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                if hex.len() != n || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use granit_parser::{Event, Parser};

    use super::events;
    use crate::source::ByteSpan;
    use crate::yaml::differential::{corpus, differences, mutate, Rng};

    /// How many mutated inputs the test reads both ways.
    const MUTATIONS: usize = 20_000;

    /// granit-parser's events for `text` (with the builder's options), or
    /// `None` if it reports an error.
    fn granit(text: &str) -> Result<Vec<(Event<'_>, ByteSpan)>, String> {
        let mut options = granit_parser::Options::default();
        options.emit_comments = false;
        let parser = Parser::new_from_str_with_options(text, options);
        let mut out = Vec::new();
        for item in parser {
            let (event, span) = item.map_err(|e| e.to_string())?;
            let (s, e) = (span.start.byte_offset(), span.end.byte_offset());
            out.push((event, ByteSpan::new(s.unwrap_or(0), e.unwrap_or(0))));
        }
        Ok(out)
    }

    /// `None` when the fast path gives up or gives what granit-parser gives.
    pub(crate) fn mismatch(text: &str) -> Option<String> {
        let fast = events(text)?;
        let slow = match granit(text) {
            Ok(slow) => slow,
            Err(e) => {
                return Some(format!(
                    "granit-parser fails where the fast path reads: {e}"
                ))
            }
        };
        let n = fast.iter().zip(&slow).take_while(|(a, b)| a == b).count();
        if n == fast.len() && n == slow.len() {
            return None;
        }
        let show = |v: &[(Event<'_>, ByteSpan)]| {
            v.iter()
                .skip(n.saturating_sub(2))
                .take(5)
                .map(|(e, s)| {
                    format!(
                        "  {}..{} {:?} {e:?}",
                        s.start,
                        s.end,
                        &text[s.start as usize..s.end as usize]
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        Some(format!(
            "event {n} differs\nfast:\n{}\ngranit:\n{}",
            show(&fast),
            show(&slow)
        ))
    }

    /// Edits that move text across the fast path's borders: indentation,
    /// indicators, quotes, escapes, block scalar headers, markers.
    const EDITS: &[&str] = &[
        " ",
        "  ",
        "- ",
        "-",
        ": ",
        ":",
        "#",
        " #",
        "\t",
        "\r",
        "\"",
        "'",
        "''",
        "\\",
        "\\x41",
        "\\u00e9",
        "\\q",
        "{",
        "}",
        "[",
        "]",
        ",",
        ", ",
        "|",
        "|-",
        "|+",
        "|2",
        ">",
        "---",
        "...",
        "? ",
        "&a ",
        "*a",
        "!t ",
        "%",
        "@",
        "`",
        "é",
        "\u{85}",
        "\u{feff}",
        "~",
        "\n",
        "\n\n",
        "  \n",
        "key: value",
        "- item",
        "{a: 1}",
        "[1, 2]",
        "\"q\": ",
        "k:\n  - x\n",
    ];

    fn edit(text: &str, rng: &mut Rng) -> String {
        let mut out = text.to_string();
        for _ in 0..1 + rng.below(3) {
            let mut at = rng.below(out.len() + 1);
            while !out.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(4) {
                0 => {
                    // Delete a few characters.
                    let mut end = (at + 1 + rng.below(4)).min(out.len());
                    while !out.is_char_boundary(end) {
                        end += 1;
                    }
                    out.replace_range(at..end, "");
                }
                _ => out.insert_str(at, EDITS[rng.below(EDITS.len())]),
            }
        }
        out
    }

    /// On every input of the corpus and on mutations of them, the fast path
    /// gives up or gives granit-parser's events and spans, exactly.
    #[test]
    fn the_fast_path_reads_what_granit_reads() {
        let files = corpus();
        assert!(files.len() > 100, "fixtures and examples are missing");
        let fast = files.iter().filter(|(_, t)| events(t).is_some()).count();
        // Nearly every manifest is in the subset: the fast path is the common path.
        assert!(
            fast * 10 > files.len() * 9,
            "{fast} of {} files read fast",
            files.len()
        );
        // More (and other) mutations on demand: STSLINT_FAST_MUTATIONS=N[:seed].
        let (count, seed) = match std::env::var("STSLINT_FAST_MUTATIONS") {
            Ok(v) => {
                let mut it = v.split(':').map(|x| x.parse::<u64>().unwrap_or(1));
                (it.next().unwrap_or(1) as usize, it.next().unwrap_or(1))
            }
            Err(_) => (MUTATIONS, 0x2545_F491_4F6C_DD1D),
        };
        // Half are character edits, half line edits.
        let mut k = 0;
        let mutate_either = |text: &str, rng: &mut Rng| {
            k += 1;
            if k % 2 == 0 {
                edit(text, rng)
            } else {
                mutate(text, rng)
            }
        };
        let failures = differences(&files, count, seed, mutate_either, mismatch);
        assert!(
            failures.is_empty(),
            "{} inputs differ; first:\n{}",
            failures.len(),
            failures[0]
        );
    }

    #[test]
    #[ignore = "development: STSLINT_FAST_DIRS=dir:dir"]
    fn scan_dirs() {
        let dirs = std::env::var("STSLINT_FAST_DIRS").unwrap_or_default();
        let (mut files, mut fast, mut bad) = (0, 0, 0);
        for dir in dirs.split(':').filter(|d| !d.is_empty()) {
            for entry in ignore::WalkBuilder::new(dir).build().flatten() {
                let p = entry.path();
                if !p.is_file() {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(p) else {
                    continue;
                };
                files += 1;
                if events(&text).is_some() {
                    fast += 1;
                } else if std::env::var("STSLINT_FAST_SLOW").is_ok() {
                    eprintln!("slow: {}", p.display());
                }
                if let Some(m) = mismatch(&text) {
                    bad += 1;
                    if bad <= 5 {
                        eprintln!("{}: {m}", p.display());
                    }
                }
            }
        }
        eprintln!("files {files}, fast {fast}, mismatched {bad}");
        assert_eq!(bad, 0);
    }
}
