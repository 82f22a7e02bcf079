//! The default output: miette's graphical reports, with the source snippet, a
//! label on the exact key, related spans (in other files too) and help.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{escape, flush_some, line_start_name, range, redact, Redacted};
use crate::diagnostic::Severity;
use crate::engine::Outcome;
use crate::source::{ByteSpan, FileId};

#[derive(Clone, Debug)]
pub struct HumanOptions {
    pub color: bool,
    /// Wrap width for messages.
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
        }
    }
}

/// One report as miette wants it.
#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<MaskedSource>,
    labels: Vec<LabeledSpan>,
}

/// A file's masked text as miette reads it. Snippets show the masked text;
/// the `[file:line:column]` header gives the position in the original file,
/// in characters, as every other format does (a mask earlier on the line has
/// another length than what it hides).
///
/// miette's own `read_span` scans the text from its first byte for every
/// report; this one starts from a line index, so rendering stays linear in
/// the findings and the file size.
#[derive(Clone)]
struct MaskedSource {
    name: Arc<str>,
    redacted: Arc<Redacted>,
    original: Arc<str>,
    /// Where each line of the masked text starts, line breaks counted as
    /// miette counts them (`\n`, `\r\n` and a lone `\r`).
    lines: Arc<[usize]>,
}

impl fmt::Debug for MaskedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Where each line of `text` starts (see [`MaskedSource::lines`]).
fn line_starts(text: &str) -> Arc<[usize]> {
    crate::source::line_starts(text).collect()
}

impl MaskedSource {
    /// The length in bytes of the longest line a snippet of `spans` would
    /// show (each span's lines and one line of context either side), when it
    /// is longer than [`MAX_SNIPPET_LINE`].
    fn long_line(&self, spans: &[SourceSpan]) -> Option<usize> {
        let text_len = self.redacted.text.len();
        let line_of = |o: usize| self.lines.partition_point(|&s| s <= o).saturating_sub(1);
        // A line's length without its line break.
        let text = self.redacted.text.as_bytes();
        let len = |i: usize| {
            let start = self.lines[i];
            let end = self.lines.get(i + 1).map_or(text_len, |&next| next);
            let body = &text[start..end];
            let breaks = body
                .iter()
                .rev()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            body.len() - breaks.min(2)
        };
        let mut longest = 0;
        for sp in spans {
            let first = line_of(sp.offset()).saturating_sub(1);
            let last = (line_of(sp.offset() + sp.len()) + 1).min(self.lines.len() - 1);
            for i in first..=last {
                longest = longest.max(len(i));
            }
        }
        (longest > MAX_SNIPPET_LINE).then_some(longest)
    }
}

/// A report whose snippet would show a line too long to show (see
/// [`MAX_SNIPPET_LINE`]): its position goes in the message, with the label,
/// and the report has no snippet.
fn without_snippet(report: Report, at: String, longest: usize) -> Report {
    let label = report
        .labels
        .iter()
        .find(|l| l.primary())
        .and_then(|l| l.label())
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    Report {
        message: format!(
            "{at}: {}{label}; no snippet: the line is {longest} bytes long",
            report.message
        ),
        source: None,
        labels: Vec::new(),
        ..report
    }
}

impl SourceCode for MaskedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &str = &self.redacted.text;
        if span.offset() > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // miette's reading of a window that starts a line earlier than the
        // first context line: the same contents, found without a scan from
        // the start of the file.
        let line = self.lines.partition_point(|&s| s <= span.offset()) - 1;
        let first = line.saturating_sub(before + 1);
        let base = self.lines[first];
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let c = text.as_bytes()[base..].read_span(&local, before, after)?;
        let mut column = c.column();
        // Only the header reads a span without context lines: its column is
        // the original text's, in characters.
        if before == 0 && after == 0 {
            let orig = self.redacted.original_offset(span.offset() as u32) as usize;
            if let Some(head) = self.original.get(..orig) {
                let line_start = head.rfind(['\n', '\r']).map_or(0, |i| i + 1);
                column = head[line_start..].chars().count();
            }
        }
        let at = c.span();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            SourceSpan::new((at.offset() + base).into(), at.len()),
            c.line() + first,
            column,
            c.line_count() + first,
        )))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

/// Text from the input (names, keys, messages that quote them), safe for a
/// terminal or a CI log.
fn clean(s: &str) -> String {
    escape(s).into_owned()
}

fn sev(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

fn sspan(b: ByteSpan) -> SourceSpan {
    SourceSpan::new((b.start as usize).into(), b.len())
}

/// Related spans further than this many lines from the primary one get their
/// own snippet.
const MAX_LABEL_DISTANCE: u32 = 6;

/// A snippet that would show a line longer than this many bytes (minified
/// JSON, a `kind: List` on one line) is not shown: the report names the
/// position instead. It would fill the terminal, and miette cannot draw a
/// label past column 65,535.
const MAX_SNIPPET_LINE: usize = 4096;

/// The masked sources, one per file, with their span maps.
struct Sources<'o> {
    outcome: &'o Outcome,
    files: HashMap<FileId, MaskedSource>,
    /// The spans findings marked secret, per file: gathered once.
    secrets: HashMap<FileId, Vec<ByteSpan>>,
}

impl<'o> Sources<'o> {
    const KEEP: usize = 64;

    fn new(outcome: &'o Outcome) -> Self {
        let mut secrets: HashMap<FileId, Vec<ByteSpan>> = HashMap::new();
        for s in outcome.findings.iter().flat_map(|f| f.secrets.iter()) {
            secrets.entry(s.file).or_default().push(s.bytes);
        }
        Sources {
            outcome,
            files: HashMap::new(),
            secrets,
        }
    }

    fn get(&mut self, id: FileId) -> &MaskedSource {
        let outcome = self.outcome;
        // Findings come file by file: keep a few files' text, not every one.
        if self.files.len() >= Self::KEEP && !self.files.contains_key(&id) {
            self.files.clear();
        }
        let secrets = &self.secrets;
        self.files.entry(id).or_insert_with(|| {
            let original = outcome.text(id);
            let spans = secrets
                .get(&id)
                .into_iter()
                .flatten()
                .chain(outcome.file_secrets(id))
                .copied()
                .collect();
            let mut r = redact(&original, spans);
            // A lone `\r` ends a line (YAML, every other format): miette
            // breaks lines only at `\n`, and a terminal would return the
            // cursor. One byte for one, so every offset stays.
            if r.text.contains('\r') {
                let b = r.text.as_bytes();
                let fixed: String = r
                    .text
                    .char_indices()
                    .map(|(i, c)| {
                        if c == '\r' && b.get(i + 1) != Some(&b'\n') {
                            '\n'
                        } else {
                            c
                        }
                    })
                    .collect();
                r.text = Arc::from(fixed);
            }
            MaskedSource {
                name: Arc::from(line_start_name(&outcome.file(id).name).as_ref()),
                lines: line_starts(&r.text),
                original,
                redacted: Arc::new(r),
            }
        })
    }

    fn source(&mut self, id: FileId) -> MaskedSource {
        self.get(id).clone()
    }

    /// A span of file `id` moved onto its masked text.
    /// Trailing line breaks and indentation (a block scalar's span runs to
    /// the next key) are left out, so the label ends on the value's last line.
    fn span(&mut self, id: FileId, b: ByteSpan) -> SourceSpan {
        let r = &self.get(id).redacted;
        let mut m = r.span(b);
        let bytes = r.text.as_bytes();
        while m.end > m.start
            && bytes
                .get(m.end as usize - 1)
                .is_some_and(u8::is_ascii_whitespace)
        {
            m.end -= 1;
        }
        sspan(m)
    }
}

/// `report`, or the report without its snippet when a line of that would be
/// too long to show.
fn showable(outcome: &Outcome, report: Report, at: crate::source::Span) -> Report {
    let spans: Vec<SourceSpan> = report.labels.iter().map(|l| *l.inner()).collect();
    let Some(longest) = report.source.as_ref().and_then(|s| s.long_line(&spans)) else {
        return report;
    };
    let lc = outcome.line_col(at.file, at.bytes.start);
    let name = line_start_name(&outcome.file(at.file).name);
    without_snippet(
        report,
        clean(&format!("{name}:{}:{}", lc.line, lc.column)),
        longest,
    )
}

/// Write the reports to `w` as they are drawn, a block at a time: a run
/// with hundreds of thousands of findings never holds its whole output.
pub fn write(
    outcome: &Outcome,
    opts: &HumanOptions,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut src = Sources::new(outcome);
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Related locations of a finding are drawn under it, marked `↳`.
    let mut related_theme = theme.clone();
    related_theme.characters.advice = "↳".into();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_context_lines(1);
    let related_handler = GraphicalReportHandler::new_themed(related_theme)
        .with_width(opts.width)
        .with_context_lines(1);
    let mut out = String::new();
    for p in &outcome.problems {
        let report = Report {
            message: clean(&p.message),
            code: Some(p.kind.code().to_string()),
            severity: match p.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            help: p.help.as_deref().map(clean),
            source: Some(src.source(p.file)),
            labels: p
                .span
                .map(|s| {
                    vec![LabeledSpan::new_primary_with_span(
                        Some("here".into()),
                        src.span(p.file, s),
                    )]
                })
                .unwrap_or_default(),
        };
        let report = match p.span {
            None => Report {
                source: None,
                message: clean(&format!(
                    "{}: {}",
                    line_start_name(&outcome.file(p.file).name),
                    p.message
                )),
                ..report
            },
            Some(bytes) => showable(
                outcome,
                report,
                crate::source::Span {
                    file: p.file,
                    bytes,
                },
            ),
        };
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
        flush_some(&mut out, w)?;
    }
    for f in &outcome.findings {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(clean(&f.label)),
            src.span(f.span.file, f.span.bytes),
        )];
        let mut related = Vec::new();
        let line_of = |sp: crate::source::Span| outcome.line_col(sp.file, sp.bytes.start).line;
        let here = line_of(f.span);
        for r in &f.related {
            // A label in the same snippet when close by; otherwise its own
            // snippet under the finding, so the report does not print every
            // line in between.
            let span = src.span(r.span.file, r.span.bytes);
            if r.span.file == f.span.file && line_of(r.span).abs_diff(here) <= MAX_LABEL_DISTANCE {
                labels.push(LabeledSpan::new_with_span(Some(clean(&r.message)), span));
            } else {
                let report = Report {
                    message: clean(&format!("related: {}", r.message)),
                    code: None,
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(src.source(r.span.file)),
                    labels: vec![LabeledSpan::new_primary_with_span(
                        Some(clean(&r.message)),
                        span,
                    )],
                };
                related.push(showable(outcome, report, r.span));
            }
        }
        let report = Report {
            message: clean(&format!("{} [{}]", f.message, f.object)),
            code: Some(f.rule.to_string()),
            severity: sev(f.severity),
            help: Some(clean(&f.help)),
            source: Some(src.source(f.span.file)),
            labels,
        };
        let report = showable(outcome, report, f.span);
        let _ = handler.render_report(&mut out, &report);
        if let Some(o) = super::origin_text(outcome, f) {
            let _ = writeln!(out, "  = origin: {}", clean(&o));
        }
        if let Some(fix) = f.fix.as_deref().filter(|_| f.origin.is_none()) {
            let how = match fix.applicability {
                crate::fix::Applicability::Safe => "stslint --fix",
                crate::fix::Applicability::Unsafe => "unsafe: stslint --fix --unsafe-fixes",
            };
            let _ = writeln!(out, "  = fix: {} ({how})", clean(&fix.title));
        }
        for r in &related {
            let _ = related_handler.render_report(&mut out, r);
        }
        out.push('\n');
        flush_some(&mut out, w)?;
    }
    for s in &outcome.skipped {
        let r = range(outcome, s.file, s.span);
        let _ = writeln!(
            out,
            "skipped {}:{}:{}: {}",
            line_start_name(&outcome.file(s.file).name),
            r.start.line,
            r.start.column,
            escape(&s.reason)
        );
        flush_some(&mut out, w)?;
    }
    tally(outcome, &mut out);
    w.write_all(out.as_bytes())
}

/// The closing table: findings per rule, most first (then by id).
fn tally(outcome: &Outcome, out: &mut String) {
    let mut per_rule: BTreeMap<&str, (usize, BTreeSet<Severity>)> = BTreeMap::new();
    for f in &outcome.findings {
        let e = per_rule.entry(f.rule).or_default();
        e.0 += 1;
        e.1.insert(f.severity);
    }
    if per_rule.is_empty() {
        return;
    }
    let mut rows: Vec<_> = per_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|r| r.1 .0.to_string().len())
        .max()
        .unwrap_or(1);
    if !outcome.skipped.is_empty() {
        out.push('\n');
    }
    out.push_str("findings by rule:\n");
    for (rule, (n, sevs)) in rows {
        let sevs: Vec<&str> = sevs.iter().rev().map(|s| s.as_str()).collect();
        let _ = writeln!(out, "  {n:>width$} {rule} ({})", sevs.join(", "));
    }
}
