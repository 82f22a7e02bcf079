//! Byte offsets ↔ LSP positions. Positions count UTF-16 code units within a
//! line unless the client offered UTF-8 at `initialize` (then bytes); lines
//! break at `\n`, `\r\n` and a lone `\r`, as [`SourceFile`] counts them.
//! Every conversion clamps: a position past a line's end is that end, a line
//! past the last is the text's end, and a position inside a character is its
//! start, so no client input can slice a text off a character boundary.

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::source::{lines_inclusive, ByteSpan, SourceFile};

/// The position encoding negotiated at `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (`general.positionEncodings`): our
    /// offsets are bytes already. Else UTF-16, which every client supports.
    pub fn negotiate(offered: &[String]) -> Encoding {
        match offered.iter().any(|e| e == "utf-8") {
            true => Encoding::Utf8,
            false => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// The units of `c` in this encoding.
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The position of a byte offset of `file`.
pub fn position(file: &SourceFile, offset: u32, enc: Encoding) -> Position {
    let (line, character) = match enc {
        Encoding::Utf8 => file.utf8_position(offset),
        Encoding::Utf16 => file.utf16_position(offset),
    };
    Position { line, character }
}

/// The range of a byte span of `file`.
pub fn range(file: &SourceFile, span: ByteSpan, enc: Encoding) -> Range {
    Range {
        start: position(file, span.start, enc),
        end: position(file, span.end, enc),
    }
}

/// The byte offset of a position in `text` (clamped, see the module doc).
pub fn offset(text: &str, pos: Position, enc: Encoding) -> usize {
    let mut start = 0;
    let mut lines = lines_inclusive(text);
    for _ in 0..pos.line {
        match lines.next() {
            Some(l) => start += l.len(),
            None => return text.len(),
        }
    }
    let line = lines.next().unwrap_or_default();
    let content = line.trim_end_matches(['\n', '\r']);
    let mut units = 0usize;
    for (i, c) in content.char_indices() {
        let next = units + enc.units(c);
        if next > pos.character as usize {
            return start + i;
        }
        units = next;
    }
    start + content.len()
}

/// The byte span of a range in `text` (an inverted range is empty).
pub fn span(text: &str, range: Range, enc: Encoding) -> ByteSpan {
    let start = offset(text, range.start, enc);
    let end = offset(text, range.end, enc).max(start);
    ByteSpan::new(start, end)
}

/// Apply one `didChange` content change: a range replaced, or the whole
/// text when there is no range.
pub fn apply_change(text: &mut String, range: Option<Range>, new: &str, enc: Encoding) {
    match range {
        None => {
            text.clear();
            text.push_str(new);
        }
        Some(r) => {
            let s = span(text, r, enc);
            text.replace_range(s.range(), new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_and_utf8_columns_of_a_non_ascii_line() {
        // 'é' is 2 bytes and 1 UTF-16 unit; '😀' 4 bytes and 2 units.
        let f = SourceFile::new("x", "a: 1\nk: é😀v\r\nz");
        let v = f.text.find('v').unwrap() as u32;
        assert_eq!(position(&f, v, Encoding::Utf16), pos(1, 6));
        assert_eq!(position(&f, v, Encoding::Utf8), pos(1, 9));
        assert_eq!(offset(&f.text, pos(1, 6), Encoding::Utf16), v as usize);
        assert_eq!(offset(&f.text, pos(1, 9), Encoding::Utf8), v as usize);
        let z = f.text.find('z').unwrap();
        assert_eq!(offset(&f.text, pos(2, 0), Encoding::Utf16), z);
    }

    #[test]
    fn positions_are_clamped_to_lines_and_characters() {
        let text = "ab\r\n😀c\n";
        // Past the end of a line: its end, before the line break.
        assert_eq!(offset(text, pos(0, 99), Encoding::Utf16), 2);
        // Inside the surrogate pair or the UTF-8 sequence: the character.
        assert_eq!(offset(text, pos(1, 1), Encoding::Utf16), 4);
        assert_eq!(offset(text, pos(1, 3), Encoding::Utf8), 4);
        assert_eq!(offset(text, pos(1, 2), Encoding::Utf16), 8);
        // The empty line after the last break, and lines past it.
        assert_eq!(offset(text, pos(2, 5), Encoding::Utf16), text.len());
        assert_eq!(offset(text, pos(u32::MAX, 0), Encoding::Utf8), text.len());
        assert_eq!(offset("", pos(0, 3), Encoding::Utf8), 0);
    }

    #[test]
    fn changes_replace_ranges_or_the_whole_text() {
        let mut t = String::from("kind: Pod\nname: é\n");
        let r = Range::new(pos(1, 6), pos(1, 7));
        apply_change(&mut t, Some(r), "e2", Encoding::Utf16);
        assert_eq!(t, "kind: Pod\nname: e2\n");
        // An inverted range inserts at its start.
        let r = Range::new(pos(0, 4), pos(0, 0));
        apply_change(&mut t, Some(r), "!", Encoding::Utf8);
        assert_eq!(t, "kind!: Pod\nname: e2\n");
        apply_change(&mut t, None, "new", Encoding::Utf8);
        assert_eq!(t, "new");
    }
}
