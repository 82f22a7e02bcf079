//! Reporters: turn an [`Outcome`] into text. They know findings, problems and
//! spans; they know nothing about any rule.

mod compact;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Finding, Origin, Severity};
use crate::engine::Outcome;
use crate::source::{ByteSpan, FileId, LineCol, Span};

pub use human::HumanOptions;
pub use sarif::rule_doc_url;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Compact,
    Github,
    Junit,
    Gitlab,
}

/// Render the outcome in `format`. The result is deterministic: it depends
/// only on the outcome and the current directory (SARIF and GitLab paths are
/// relative to the repository around it; no times, no thread order).
pub fn render(outcome: &Outcome, format: Format, human: &HumanOptions) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(outcome, format, human, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`] into `w`. No format holds its whole output: human output is
/// written a block of reports at a time, JSON and SARIF finding by finding
/// (a large run has hundreds of thousands).
pub fn write(
    outcome: &Outcome,
    format: Format,
    human: &HumanOptions,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_at(outcome, format, human, &Place::from_env(), w)
}

/// [`write`], with file names resolved against `place`.
pub fn write_at(
    outcome: &Outcome,
    format: Format,
    human: &HumanOptions,
    place: &Place,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(outcome, human, w),
        Format::Json => json::write(outcome, w),
        Format::Sarif => sarif::write(outcome, place, w),
        Format::Compact => compact::write(outcome, w),
        Format::Github => github::write(outcome, w),
        Format::Junit => junit::write(outcome, w),
        Format::Gitlab => gitlab::write(outcome, place, w),
    }
}

/// Where a run happens: the directory that relative file names are relative
/// to, and the repository root that SARIF and GitLab paths are relative to
/// (the nearest ancestor of the current directory holding `.git`, else the
/// current directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub cwd: PathBuf,
    pub root: PathBuf,
}

impl Place {
    pub fn from_env() -> Place {
        Place::at(std::env::current_dir().unwrap_or_default())
    }

    /// The place for a run in `cwd`.
    pub fn at(cwd: PathBuf) -> Place {
        let root = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        Place { cwd, root }
    }

    /// The absolute path of a file name as shown (lexically normalised: no
    /// `.`, `..` resolved).
    pub fn absolute(&self, name: &str) -> PathBuf {
        normalise(&self.cwd.join(name))
    }

    /// A file name as a path relative to the root, with `/`, when the file
    /// is under it (also when it was given as an absolute path, or through a
    /// symbolic link that resolves into the root).
    pub fn relative(&self, name: &str) -> Option<String> {
        let abs = self.absolute(name);
        let root = normalise(&self.root);
        let rel = match abs.strip_prefix(&root) {
            Ok(r) => r.to_path_buf(),
            Err(_) => {
                let real = std::fs::canonicalize(&abs).ok()?;
                let real_root = std::fs::canonicalize(&root).ok()?;
                real.strip_prefix(&real_root).ok()?.to_path_buf()
            }
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// `p` without `.` components and with `..` applied to what precedes it.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a path for a URI: unreserved characters and `/` kept,
/// everything else (spaces, `%`, `:`, non-ASCII bytes) percent-encoded.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The `file://` URI of an absolute path (`/` separated).
pub fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    format!("file://{}", uri_path(&s))
}

/// Write a report (or a baseline) to `path`. A regular file is written
/// through a temporary file in its directory, renamed over it once complete:
/// a reader never sees half a report, and a failed run leaves the previous
/// one (and no temporary file) behind. A symbolic link is followed, so the
/// link stays a link. A device or a FIFO (`-o /dev/null`, `-o /dev/stderr`,
/// a pipe) is written in place: renaming over it would replace it.
pub fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let path = target.as_path();
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut out = std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        write(&mut out)?;
        return out.flush();
    }
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Output is written in blocks of about this many bytes.
const BLOCK: usize = 64 << 10;

/// Write `out` to `w` once it holds a block.
pub(crate) fn flush_some(out: &mut String, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if out.len() >= BLOCK {
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    Ok(())
}

/// A JSON array of `items`, each turned into a value only while it is written.
pub(crate) struct Each<'a, T, F>(pub &'a [T], pub F);

impl<T, F: Fn(&T) -> serde_json::Value> serde::Serialize for Each<'_, T, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(&self.1))
    }
}

/// Pretty JSON and a final line break, as every JSON output ends.
pub(crate) fn write_pretty(
    w: &mut dyn std::io::Write,
    doc: &impl serde::Serialize,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, doc)?;
    w.write_all(b"\n")
}

/// A resolved position range: 1-based lines, 1-based character columns, end
/// exclusive (the position just after the last character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: LineCol,
    pub end: LineCol,
}

pub fn range(outcome: &Outcome, file: FileId, bytes: ByteSpan) -> Range {
    Range {
        start: outcome.line_col(file, bytes.start),
        end: outcome.line_col(file, bytes.end),
    }
}

pub fn span_range(outcome: &Outcome, span: Span) -> Range {
    range(outcome, span.file, span.bytes)
}

/// The template or base file a finding's object was rendered from, as the
/// text formats name it: `chart/templates/sts.yaml (rendered by helm; line
/// 12 is in the rendered output)`.
pub fn origin_text(outcome: &Outcome, f: &Finding) -> Option<String> {
    let o = f.origin.as_deref()?;
    let line = outcome.line_col(f.span.file, f.span.bytes.start).line;
    let remote = o
        .remote
        .as_deref()
        .map(|r| format!(" in {r}"))
        .unwrap_or_default();
    Some(format!(
        "{}{remote} (rendered by {}; line {line} is in the rendered output)",
        o.path,
        o.via.as_str()
    ))
}

/// The origin that stands for a finding's file in formats that name one file
/// per finding (compact, github, SARIF's location): only for standard input,
/// which is in no repository, and only an origin in this repository (not a
/// remote kustomize base).
pub fn origin_as_file<'a>(outcome: &Outcome, f: &'a Finding) -> Option<&'a Origin> {
    let o = f.origin.as_deref()?;
    (outcome.file(f.span.file).stdin && o.remote.is_none()).then_some(o)
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

pub fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Note => c.notes += 1,
        }
    }
    c
}

pub use crate::secrets::MASK;

/// A file's text with every credential masked, and the map from offsets in the
/// original text to offsets in the masked one.
#[derive(Clone, Debug)]
pub struct Redacted {
    pub text: Arc<str>,
    /// Replaced pieces, in order: `(original range, masked range)`.
    pieces: Vec<(ByteSpan, ByteSpan)>,
}

impl Redacted {
    /// Where an original offset lands in the masked text. A start offset
    /// inside a mask goes to the mask's start, an end offset to its end.
    /// (A binary search: a file may hold thousands of masks.)
    fn offset(&self, o: u32, is_end: bool) -> u32 {
        // The pieces starting before `o` (at or before it, for a start).
        let k = self.pieces.partition_point(|(from, _)| {
            if is_end {
                from.start < o
            } else {
                from.start <= o
            }
        });
        let Some((from, to)) = k.checked_sub(1).map(|i| self.pieces[i]) else {
            return o;
        };
        let inside = if is_end { o <= from.end } else { o < from.end };
        if inside {
            return if is_end { to.end } else { to.start };
        }
        let delta = to.end as i64 - from.end as i64;
        u32::try_from((o as i64 + delta).max(0)).unwrap_or(u32::MAX)
    }

    /// Where an offset of the masked text comes from in the original text (an
    /// offset inside a mask maps to the start of what it masks).
    pub fn original_offset(&self, m: u32) -> u32 {
        let k = self.pieces.partition_point(|(_, to)| to.start <= m);
        let Some((from, to)) = k.checked_sub(1).map(|i| self.pieces[i]) else {
            return m;
        };
        if m < to.end {
            return from.start;
        }
        let delta = from.end as i64 - to.end as i64;
        u32::try_from((m as i64 + delta).max(0)).unwrap_or(u32::MAX)
    }

    /// The span in the masked text that shows what `b` covers.
    pub fn span(&self, b: ByteSpan) -> ByteSpan {
        let start = self.offset(b.start, false);
        let end = if b.is_empty() {
            start
        } else {
            self.offset(b.end, true)
        };
        ByteSpan {
            start,
            end: end.max(start),
        }
    }
}

/// The text of a file with `spans` replaced by [`MASK`]: the spans the
/// credential detector found in the file (whatever rules ran) and those
/// findings marked secret. Line breaks are kept (each line of a multi-line
/// secret is masked on its own), so line numbers stay right; use
/// [`Redacted::span`] to move a span onto the masked text.
pub fn redact(text: &Arc<str>, mut spans: Vec<ByteSpan>) -> Redacted {
    spans.retain(|s| !s.is_empty());
    let unsafe_at = || {
        text.char_indices()
            .filter(|&(i, c)| is_unsafe_in_source(c) || c == '[' && text[..i].ends_with("##"))
    };
    if spans.is_empty() && unsafe_at().next().is_none() {
        return Redacted {
            text: text.clone(),
            pieces: Vec::new(),
        };
    }
    spans.sort();
    // merge overlapping spans
    let mut merged: Vec<ByteSpan> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    // What no terminal or CI log may receive raw, outside the masks: each
    // character is shown escaped, as one piece.
    let mut escapes = unsafe_at()
        .map(|(i, c)| (ByteSpan::new(i, i + c.len_utf8()), c))
        .filter(|(at, _)| {
            let k = merged.partition_point(|m| m.start <= at.start);
            !(k > 0 && merged[k - 1].end > at.start)
        })
        .peekable();
    let mut out = String::with_capacity(text.len());
    let mut pieces = Vec::new();
    let mut pos = 0usize;
    let mut escape_until = |out: &mut String, pieces: &mut Vec<_>, pos: &mut usize, end: usize| {
        while let Some(&(at, c)) = escapes.peek().filter(|(at, _)| (at.end as usize) <= end) {
            escapes.next();
            out.push_str(&text[*pos..at.start as usize]);
            let new_start = out.len();
            escape_char(c, out);
            pieces.push((at, ByteSpan::new(new_start, out.len())));
            *pos = at.end as usize;
        }
    };
    for &s in &merged {
        let (start, end) = (s.start as usize, (s.end as usize).min(text.len()));
        if start < pos || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        escape_until(&mut out, &mut pieces, &mut pos, start);
        out.push_str(&text[pos..start]);
        // each line of the secret on its own: keep indentation and breaks
        let mut at = start;
        for line in crate::source::lines_inclusive(&text[start..end]) {
            let body = line.trim_end_matches(['\n', '\r']);
            let content = body.trim_start_matches([' ', '\t']);
            let lead = body.len() - content.len();
            out.push_str(&body[..lead]);
            if !content.is_empty() {
                let from = ByteSpan::new(at + lead, at + body.len());
                let new_start = out.len();
                out.push_str(MASK);
                pieces.push((from, ByteSpan::new(new_start, out.len())));
            }
            out.push_str(&line[body.len()..]);
            at += line.len();
        }
        pos = end;
    }
    escape_until(&mut out, &mut pieces, &mut pos, text.len());
    out.push_str(&text[pos..]);
    Redacted {
        text: Arc::from(out),
        pieces,
    }
}

/// Characters that must not reach a terminal or a CI log as they are: C0 and
/// C1 controls (ESC starts ANSI and OSC sequences, BEL, NUL, CR returns the
/// cursor, a newline forges a line), DEL, and the invisible and bidirectional
/// formatting characters that make text read other than it is.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// [`is_unsafe_char`], except the tabs and line breaks that lay out a source
/// snippet.
fn is_unsafe_in_source(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && is_unsafe_char(c)
}

/// How an unsafe character is shown: `\n`, `\r`, `\t`, else `\u{…}`.
fn escape_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` safe to print on a terminal or in a CI log: unsafe characters escaped
/// ([`is_unsafe_char`]), and the `##[` of a GitHub Actions command broken up,
/// since the runner reads one anywhere on a line.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) && !s.contains("##[") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            escape_char(c, &mut out);
        } else if c == '[' && out.ends_with("##") {
            out.push_str("\\u{5b}");
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A file name that starts a line of output: [`escape`]d, and with `./` in
/// front when it would start with `::`, which a GitHub Actions runner reads
/// as a workflow command.
pub fn line_start_name(name: &str) -> Cow<'_, str> {
    let e = escape(name);
    if e.trim_start().starts_with("::") {
        return Cow::Owned(format!("./{e}"));
    }
    e
}

/// A stable fingerprint of a finding: it does not change when unrelated lines
/// move (no line numbers in it). FNV-1a 64, printed as hex.
/// Whether `span` overlaps or touches one of `secrets` (sorted spans of
/// credential values): an edit there would show or change one.
pub fn touches_secret(span: ByteSpan, secrets: &[ByteSpan]) -> bool {
    let k = secrets.partition_point(|s| s.end < span.start);
    secrets.get(k).is_some_and(|s| s.start <= span.end)
}

pub fn fingerprint(outcome: &Outcome, f: &Finding) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let ns = f.object.namespace.as_deref().unwrap_or("");
    for part in [
        f.rule,
        outcome.file(f.span.file).name.as_str(),
        &f.object.kind,
        ns,
        &f.object.name,
        &f.field,
    ] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_have_one_length_and_spans_follow() {
        let text: Arc<str> = Arc::from("a: xyz\nb: |\n  line1\n  line22\nc: end\n");
        let secret = ByteSpan::new(3, 6); // xyz
        let block = ByteSpan::new(14, 28); // the two block lines
        let r = redact(&text, vec![block, secret]);
        assert_eq!(&*r.text, "a: ****\nb: |\n  ****\n  ****\nc: end\n");
        // a label on the secret covers the mask
        let s = r.span(secret);
        assert_eq!(&r.text[s.start as usize..s.end as usize], "****");
        // a label after the masks still lands on its text
        let end = ByteSpan::new(32, 35);
        assert_eq!(&text[32..35], "end");
        let m = r.span(end);
        assert_eq!(&r.text[m.start as usize..m.end as usize], "end");
        // a span ending right before a mask is unchanged
        let key = r.span(ByteSpan::new(0, 1));
        assert_eq!((key.start, key.end), (0, 1));
        // and back: masked offsets map to where they came from
        assert_eq!(r.original_offset(m.start), 32);
        assert_eq!(
            r.original_offset(s.start + 2),
            3,
            "inside a mask: its start"
        );
        assert_eq!(r.original_offset(1), 1);
        // with many masks the maps agree both ways
        let many: String = (0..500).map(|i| format!("k{i}: v{i}\n")).collect();
        let many: Arc<str> = Arc::from(many);
        let spans: Vec<ByteSpan> = many
            .match_indices(": v")
            .map(|(i, _)| {
                let end = many[i..].find('\n').map_or(many.len(), |e| i + e);
                ByteSpan::new(i + 2, end)
            })
            .collect();
        let r = redact(&many, spans);
        let last_key = many.rfind("k499").unwrap_or(0) as u32;
        let at = r.span(ByteSpan::new(last_key as usize, last_key as usize + 4));
        assert_eq!(&r.text[at.start as usize..at.end as usize], "k499");
        assert_eq!(r.original_offset(at.start), last_key);
    }
}
