//! Source files, byte spans and the line index that turns a byte offset into a
//! 1-based line and column.
//!
//! Every position stslint reports is computed here, from byte offsets, so all
//! output formats agree. Columns count Unicode scalar values (characters), which
//! is what SARIF calls `unicodeCodePoints`; [`SourceFile::utf16_col`] gives the
//! UTF-16 column that LSP clients expect.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in the run's file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A half-open byte range `[start, end)` inside one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSpan {
    pub start: u32,
    pub end: u32,
}

impl ByteSpan {
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        ByteSpan { start, end }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// The span as a range for slicing the file's text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The smallest span covering both.
    pub fn join(self, other: ByteSpan) -> ByteSpan {
        ByteSpan {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A span in a particular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub bytes: ByteSpan,
}

/// A 1-based line/column position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// One input: a file on disk or standard input.
///
/// A file on disk is read when it is linted and dropped after: a run over
/// 100,000 files does not hold their text. `text` is then empty, and the
/// reporters get positions from [`crate::engine::Outcome::line_col`] and the
/// text from [`crate::engine::Outcome::text`], which reads the file again.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in output: the path as given (relative paths stay relative),
    /// or the `--stdin-filename` for standard input.
    pub name: String,
    pub text: Arc<str>,
    /// Where each line starts, computed when a position is first asked for
    /// (most files linted never are: their findings are rendered from a
    /// second reading).
    line_starts: std::sync::OnceLock<Vec<u32>>,
    /// Where the text is read from when it is not held here.
    pub disk: Option<OnDisk>,
    /// Standard input (rendered output piped in is in no repository).
    pub stdin: bool,
}

/// The text of a file not held (one allocation for them all).
fn empty_text() -> Arc<str> {
    static EMPTY: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::from("")).clone()
}

/// A file read when linted, and again only to render what was found in it.
#[derive(Clone, Debug)]
pub struct OnDisk {
    /// The path, when the file's name does not spell it (see
    /// [`OnDisk::path`]): most names do, and a large tree has many files.
    path: Option<PathBuf>,
    /// Files larger than this are reported and not read.
    pub max_size: u64,
    /// The text's length and hash when it was linted ([`text_hash`]), to tell
    /// when the file changed before its findings were rendered.
    pub seen: Option<(usize, u64)>,
}

impl OnDisk {
    /// Where to read the file named `name` (see [`SourceFile::name`]).
    pub fn path<'a>(&'a self, name: &'a str) -> &'a Path {
        self.path.as_deref().unwrap_or(Path::new(name))
    }
}

/// A cheap hash of a file's text, to notice that it changed between the
/// reading that linted it and the one that renders its findings.
pub fn text_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = text.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
            disk: None,
            stdin: false,
        }
    }

    /// A file on disk, not read yet.
    pub fn on_disk(name: impl Into<String>, path: PathBuf, max_size: u64) -> Self {
        let name = name.into();
        let path = (Path::new(&name) != path).then_some(path);
        SourceFile {
            name,
            text: empty_text(),
            line_starts: std::sync::OnceLock::new(),
            disk: Some(OnDisk {
                path,
                max_size,
                seen: None,
            }),
            stdin: false,
        }
    }

    /// Clamp `offset` to the text and back onto a character boundary.
    fn clamp(&self, offset: u32) -> usize {
        let mut o = (offset as usize).min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// Where each line starts. YAML's line breaks are `\n`, `\r\n` and a lone
    /// `\r` (as editors and miette count them too).
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            line_starts(&self.text)
                .map(|s| u32::try_from(s).unwrap_or(u32::MAX))
                .collect()
        })
    }

    /// The line of `offset`.
    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts().binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let o = self.clamp(offset);
        let line = self.line_of(o);
        let start = self.line_starts().get(line).map_or(0, |&s| s as usize);
        let column = self.text[start..o].chars().count() + 1;
        LineCol {
            line: line as u32 + 1,
            column: column as u32,
        }
    }

    /// [`SourceFile::line_col`] of each of `offsets` (sorted), in one pass:
    /// the characters between two offsets of a line are counted once, so a
    /// file that is one long line (a minified JSON List) costs its length,
    /// not its length per offset.
    pub fn line_cols(&self, offsets: &[u32]) -> Vec<LineCol> {
        let mut out = Vec::with_capacity(offsets.len());
        // The last offset resolved: its byte, line (0-based) and column.
        let mut last: Option<(usize, usize, usize)> = None;
        for &offset in offsets {
            let o = self.clamp(offset);
            let line = self.line_of(o);
            let column = match last {
                Some((b, l, c)) if l == line && b <= o => c + self.text[b..o].chars().count(),
                _ => {
                    let start = self.line_starts().get(line).map_or(0, |&s| s as usize);
                    self.text[start..o].chars().count() + 1
                }
            };
            last = Some((o, line, column));
            out.push(LineCol {
                line: line as u32 + 1,
                column: column as u32,
            });
        }
        out
    }

    /// 0-based line and 0-based UTF-16 column of a byte offset (LSP positions).
    pub fn utf16_position(&self, offset: u32) -> (u32, u32) {
        let o = self.clamp(offset);
        let line = self.line_of(o);
        let start = self.line_starts().get(line).map_or(0, |&s| s as usize);
        let col: usize = self.text[start..o].chars().map(char::len_utf16).sum();
        (line as u32, col as u32)
    }

    /// 0-based line and 0-based byte column of a byte offset (LSP positions
    /// when the client chose UTF-8).
    pub fn utf8_position(&self, offset: u32) -> (u32, u32) {
        let o = self.clamp(offset);
        let line = self.line_of(o);
        let start = self.line_starts().get(line).map_or(0, |&s| s as usize);
        (line as u32, (o - start.min(o)) as u32)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts().get(i) else {
            return "";
        };
        let end = self
            .line_starts()
            .get(i + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    pub fn slice(&self, span: ByteSpan) -> &str {
        let s = self.clamp(span.start);
        let e = self.clamp(span.end).max(s);
        &self.text[s..e]
    }

    /// Byte offset of the start of a 1-based line (clamped to the text).
    pub fn line_start(&self, line: u32) -> u32 {
        let i = (line as usize).saturating_sub(1);
        self.line_starts()
            .get(i)
            .copied()
            .unwrap_or(self.text.len() as u32)
    }

    /// Byte offset of a 1-based line and 1-based character column.
    pub fn offset_of(&self, line: u32, column: u32) -> u32 {
        let start = self.line_start(line) as usize;
        let text = self.line_text(line);
        let skip = (column as usize).saturating_sub(1);
        let within: usize = text.chars().take(skip).map(char::len_utf8).sum();
        (start + within) as u32
    }
}

/// Where each line of `text` starts (the first at 0), line breaks as
/// [`lines_inclusive`] finds them.
pub fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        lines_inclusive(text)
            .scan(0, |at, line| {
                *at += line.len();
                Some(*at)
            })
            .filter(move |&at| at < text.len() || text.ends_with(['\n', '\r'])),
    )
}

/// The lines of `text`, each with its line break (`\n`, `\r\n` or a lone
/// `\r`), as [`SourceFile`] counts them.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let start = pos;
        while pos < b.len() {
            let c = b[pos];
            pos += 1;
            if c == b'\n' || c == b'\r' && b.get(pos) != Some(&b'\n') {
                break;
            }
        }
        Some(&text[start..pos])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_carriage_return_breaks_a_line_and_crlf_is_one_break() {
        let f = SourceFile::new("x", "a: 1\rbb: 2\r\nc: é\nd");
        let at = |s: &str| f.line_col(f.text.find(s).unwrap() as u32);
        assert_eq!(at("bb"), LineCol { line: 2, column: 1 });
        assert_eq!(at("2"), LineCol { line: 2, column: 5 });
        assert_eq!(at("\n"), LineCol { line: 2, column: 7 });
        assert_eq!(at("c"), LineCol { line: 3, column: 1 });
        assert_eq!(at("d"), LineCol { line: 4, column: 1 });
        assert_eq!(f.line_text(2), "bb: 2");
        assert_eq!(f.offset_of(3, 4), f.text.find('é').unwrap() as u32);
        let lines: Vec<&str> = lines_inclusive(&f.text).collect();
        assert_eq!(lines, ["a: 1\r", "bb: 2\r\n", "c: é\n", "d"]);
    }

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("x", "a: é\nbb: c\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        // 'é' is 2 bytes; the newline after it is at byte 5
        assert_eq!(f.line_col(5), LineCol { line: 1, column: 5 });
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(10), LineCol { line: 2, column: 5 });
        assert_eq!(f.line_text(2), "bb: c");
        assert_eq!(f.offset_of(2, 5), 10);
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let f = SourceFile::new("x", "k: 😀x\n");
        // '😀' is 4 bytes in UTF-8 and 2 units in UTF-16
        assert_eq!(f.utf16_position(7), (0, 5));
        assert_eq!(f.line_col(7).column, 5);
        assert_eq!(f.utf8_position(7), (0, 7));
        assert_eq!(f.utf8_position(9), (1, 0));
    }

    #[test]
    fn line_cols_in_one_pass_agree_with_line_col() {
        let f = SourceFile::new("x", "k: 😀x, é: [1, 2]\r\nb: c\rd: 😀😀\n\nlast");
        let mut offsets: Vec<u32> = (0..=f.text.len() as u32 + 2).collect();
        // repeated offsets, and offsets inside a character
        offsets.extend([4, 4, 5, 23]);
        offsets.sort_unstable();
        let one: Vec<LineCol> = offsets.iter().map(|&o| f.line_col(o)).collect();
        assert_eq!(f.line_cols(&offsets), one);
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let f = SourceFile::new("x", "ab");
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 3 });
    }
}
