//! A run's findings and input problems as LSP diagnostics, with what the
//! server needs of each afterwards (hover, code actions): its byte span in
//! the text that was linted, its rule, its object, its fix.
//!
//! Messages are the findings' own, which never show a credential value;
//! no source text is added to them.

use std::collections::HashMap;
use std::sync::Arc;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Range, Uri,
};

use super::actions::Action;
use super::position::{self, Encoding};
use crate::diagnostic::{Finding, ObjectRef, Problem, ProblemKind, Severity};
use crate::engine::Outcome;
use crate::source::{ByteSpan, FileId, SourceFile};

/// One diagnostic published for a document, and what it is about.
#[derive(Clone, Debug)]
pub struct Item {
    pub diagnostic: Diagnostic,
    /// Where, in the text that was linted.
    pub span: ByteSpan,
    /// The rule of a finding (`None`: an input problem).
    pub rule: Option<&'static str>,
    pub object: Option<Arc<ObjectRef>>,
    /// The finding's fix, as a code action.
    pub fix: Option<Action>,
}

/// The texts of a run's files, to turn spans into positions: an open
/// document's is held by the outcome, a file on disk is read again once.
pub struct Texts<'a> {
    outcome: &'a Outcome,
    read: HashMap<FileId, SourceFile>,
}

impl<'a> Texts<'a> {
    pub fn new(outcome: &'a Outcome) -> Self {
        Texts {
            outcome,
            read: HashMap::new(),
        }
    }

    fn get(&mut self, id: FileId) -> &SourceFile {
        let f = self.outcome.file(id);
        if f.disk.is_none() {
            return f;
        }
        let outcome = self.outcome;
        self.read
            .entry(id)
            .or_insert_with(|| SourceFile::new(f.name.clone(), outcome.text(id)))
    }

    fn range(&mut self, id: FileId, span: ByteSpan, enc: Encoding) -> Range {
        position::range(self.get(id), span, enc)
    }
}

/// The diagnostics of the file `id` of a run, in the outcome's order: input
/// problems, then findings. `uri` names the run's files for related
/// locations (a file it has no URI for is left out).
pub fn of_file(
    outcome: &Outcome,
    id: FileId,
    uri: &dyn Fn(FileId) -> Option<Uri>,
    enc: Encoding,
) -> Vec<Item> {
    let mut texts = Texts::new(outcome);
    let problems = outcome.problems.iter().filter(|p| p.file == id);
    let mut items: Vec<Item> = problems.map(|p| problem(p, &mut texts, enc)).collect();
    let findings = outcome.findings.iter().filter(|f| f.span.file == id);
    items.extend(findings.map(|f| finding(f, &mut texts, uri, enc)));
    items
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

fn finding(
    f: &Finding,
    texts: &mut Texts,
    uri: &dyn Fn(FileId) -> Option<Uri>,
    enc: Encoding,
) -> Item {
    let range = texts.range(f.span.file, f.span.bytes, enc);
    let related: Vec<DiagnosticRelatedInformation> = (f.related.iter())
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: uri(r.span.file)?,
                    range: texts.range(r.span.file, r.span.bytes, enc),
                },
                message: r.message.clone(),
            })
        })
        .collect();
    let href = crate::report::rule_doc_url(f.rule).parse().ok();
    Item {
        diagnostic: Diagnostic {
            range,
            severity: Some(severity(f.severity)),
            code: Some(NumberOrString::String(f.rule.to_string())),
            code_description: href.map(|href| CodeDescription { href }),
            source: Some("stslint".to_string()),
            message: f.message.to_string(),
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        },
        span: f.span.bytes,
        rule: Some(f.rule),
        object: Some(f.object.clone()),
        fix: Action::of_finding(f),
    }
}

fn problem(p: &Problem, texts: &mut Texts, enc: Encoding) -> Item {
    let span = p.span.unwrap_or_default();
    // No rule doc to hover over: the help goes in the message.
    let message = match &p.help {
        Some(help) => format!("{}\nhelp: {help}", p.message),
        None => p.message.clone(),
    };
    let unused = p.kind == ProblemKind::UnusedSuppression;
    Item {
        diagnostic: Diagnostic {
            range: texts.range(p.file, span, enc),
            severity: Some(severity(p.severity())),
            code: Some(NumberOrString::String(p.kind.code().to_string())),
            code_description: None,
            source: Some("stslint".to_string()),
            message,
            related_information: None,
            tags: unused.then(|| vec![DiagnosticTag::UNNECESSARY]),
            data: None,
        },
        span,
        rule: None,
        object: None,
        fix: None,
    }
}
