//! The default output: miette's graphical reports, with the source snippet, a
//! label on the exact key, related spans (in other files too) and help.

use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
    SourceSpan,
};

use super::{range, redacted_text};
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
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
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
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
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

pub fn render(outcome: &Outcome, opts: &HumanOptions) -> String {
    let mut sources: HashMap<FileId, NamedSource<Arc<str>>> = HashMap::new();
    let mut source = |id: FileId| {
        sources
            .entry(id)
            .or_insert_with(|| {
                NamedSource::new(outcome.file(id).name.clone(), redacted_text(outcome, id))
                    .with_language("yaml")
            })
            .clone()
    };
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_context_lines(1);
    let mut out = String::new();
    for p in &outcome.problems {
        let report = Report {
            message: p.message.clone(),
            code: p.kind.code().to_string(),
            severity: miette::Severity::Error,
            help: p.help.clone(),
            source: Some(source(p.file)),
            labels: p
                .span
                .map(|s| {
                    vec![LabeledSpan::new_primary_with_span(
                        Some("here".into()),
                        sspan(s),
                    )]
                })
                .unwrap_or_default(),
            related: Vec::new(),
        };
        let report = if p.span.is_none() {
            Report {
                source: None,
                message: format!("{}: {}", outcome.file(p.file).name, p.message),
                ..report
            }
        } else {
            report
        };
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    for f in &outcome.findings {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(f.label.clone()),
            sspan(f.span.bytes),
        )];
        let mut related = Vec::new();
        let line_of = |sp: crate::source::Span| outcome.file(sp.file).line_col(sp.bytes.start).line;
        let here = line_of(f.span);
        for r in &f.related {
            // A label in the same snippet when close by; otherwise its own
            // snippet, so the report does not print every line in between.
            if r.span.file == f.span.file && line_of(r.span).abs_diff(here) <= MAX_LABEL_DISTANCE {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    sspan(r.span.bytes),
                ));
            } else {
                related.push(Report {
                    message: format!("related: {}", r.message),
                    code: f.rule.to_string(),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(source(r.span.file)),
                    labels: vec![LabeledSpan::new_primary_with_span(
                        Some(r.message.clone()),
                        sspan(r.span.bytes),
                    )],
                    related: Vec::new(),
                });
            }
        }
        let report = Report {
            message: format!("{} [{}]", f.message, f.object),
            code: f.rule.to_string(),
            severity: sev(f.severity),
            help: Some(f.help.clone()),
            source: Some(source(f.span.file)),
            labels,
            related,
        };
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    for s in &outcome.skipped {
        let r = range(outcome, s.file, s.span);
        let _ = writeln!(
            out,
            "skipped {}:{}:{}: {}",
            outcome.file(s.file).name,
            r.start.line,
            r.start.column,
            s.reason
        );
    }
    out
}
