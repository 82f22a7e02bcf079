//! Fixes as data on a finding: byte-range edits on the text the finding was
//! found in, and whether applying them is safe (ruff's `Edit` and
//! `Applicability`).
//!
//! A rule attaches a fix while it reports ([`crate::rule::Pending::fix`],
//! [`crate::facts::Draft::fix`]); the edits replace bytes of the original
//! source, so comments, key order, quoting and indentation outside them stay
//! exactly as they were. Applying them ([`apply`]) is the only place that
//! writes text; `stslint --fix`, `--diff` and the language server's code
//! actions all go through it.

pub mod yaml;

use crate::source::ByteSpan;

/// Whether a fix may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// The objects mean the same to the API server, or the manifest is
    /// corrected to what it was meant to say: applied by `--fix`.
    Safe,
    /// It changes what runs on a live cluster (a new object, a new security
    /// setting, a recreated StatefulSet): applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace `span` of the file's text with `content` (an empty span inserts,
/// an empty content deletes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edit {
    pub span: ByteSpan,
    pub content: Box<str>,
}

impl Edit {
    pub fn replace(span: ByteSpan, content: impl Into<Box<str>>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn insert(at: u32, content: impl Into<Box<str>>) -> Edit {
        Edit::replace(ByteSpan { start: at, end: at }, content)
    }

    pub fn delete(span: ByteSpan) -> Edit {
        Edit::replace(span, "")
    }
}

/// A finding's fix: edits in the finding's own file, applied together.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// What it does, as a command: "quote `yes`".
    pub title: Box<str>,
    pub applicability: Applicability,
    /// Sorted by position, not overlapping.
    pub edits: Box<[Edit]>,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        title: impl Into<Box<str>>,
        edits: impl IntoIterator<Item = Edit>,
    ) -> Fix {
        let mut edits: Vec<Edit> = edits.into_iter().collect();
        edits.sort();
        Fix {
            title: title.into(),
            applicability,
            edits: edits.into(),
        }
    }

    pub fn safe(title: impl Into<Box<str>>, edits: impl IntoIterator<Item = Edit>) -> Fix {
        Fix::new(Applicability::Safe, title, edits)
    }

    pub fn unsafe_(title: impl Into<Box<str>>, edits: impl IntoIterator<Item = Edit>) -> Fix {
        Fix::new(Applicability::Unsafe, title, edits)
    }

    /// The bytes the fix touches, from its first edit to its last.
    pub fn extent(&self) -> Option<ByteSpan> {
        let first = self.edits.first()?;
        let last = self.edits.last()?;
        Some(ByteSpan {
            start: first.span.start,
            end: last.span.end,
        })
    }

    /// Its edits are well formed for a text of `len` bytes: inside it, on
    /// character boundaries, in order and apart.
    fn fits(&self, text: &str) -> bool {
        let mut end = 0;
        self.edits.iter().all(|e| {
            let ok = e.span.start >= end
                && e.span.start <= e.span.end
                && text.is_char_boundary(e.span.start as usize)
                && text.is_char_boundary(e.span.end as usize)
                && (e.span.end as usize) <= text.len();
            end = e.span.end;
            ok
        })
    }
}

/// Apply `fixes` (in the order given, which decides between two that
/// overlap) to `text`: every fix whose edits touch none of an earlier
/// applied fix's bytes is applied whole; the others are left for a next
/// pass over the re-linted text. Returns the new text and how many fixes
/// were applied.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut taken: Vec<ByteSpan> = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let Some(extent) = fix.extent() else { continue };
        // Two insertions at one offset, or an edit that meets another, are
        // kept apart too: their order would be a guess.
        let clash = taken
            .iter()
            .any(|t| extent.start <= t.end && t.start <= extent.end);
        if clash || !fix.fits(text) {
            continue;
        }
        taken.push(extent);
        edits.extend(fix.edits.iter());
        applied += 1;
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in edits {
        out.push_str(&text[at..e.span.start as usize]);
        out.push_str(&e.content);
        at = e.span.end as usize;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: u32, end: u32) -> ByteSpan {
        ByteSpan { start, end }
    }

    #[test]
    fn applies_apart_and_defers_overlapping() {
        let text = "a: yes\nb: no\n";
        let quote_yes = Fix::safe("q", [Edit::replace(span(3, 6), "\"yes\"")]);
        let quote_no = Fix::safe("q", [Edit::replace(span(10, 12), "\"no\"")]);
        let clash = Fix::safe("x", [Edit::delete(span(4, 5))]);
        let (out, n) = apply(text, &[&quote_yes, &clash, &quote_no]);
        assert_eq!(out, "a: \"yes\"\nb: \"no\"\n");
        assert_eq!(n, 2);
    }

    #[test]
    fn a_fix_outside_the_text_is_not_applied() {
        let text = "é: 1\n";
        let past_end = Fix::safe("p", [Edit::insert(99, "x")]);
        let mid_char = Fix::safe("m", [Edit::insert(1, "x")]);
        assert_eq!(apply(text, &[&past_end, &mid_char]), (text.to_string(), 0));
    }

    #[test]
    fn insertions_and_multi_edit_fixes() {
        let text = "k: v\n";
        let fix = Fix::unsafe_(
            "two",
            [
                Edit::insert(5, "---\nx: 1\n"),
                Edit::replace(span(0, 1), "key"),
            ],
        );
        assert_eq!(fix.edits[0].span, span(0, 1));
        let (out, n) = apply(text, &[&fix]);
        assert_eq!((out.as_str(), n), ("key: v\n---\nx: 1\n", 1));
    }
}
