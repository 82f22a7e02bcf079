//! `--format junit`: JUnit XML, as CI servers read test reports. One
//! `<testsuite>` per linted file (named by the file), one `<testcase>` per
//! finding (named by its rule id and object) with a `<failure>`, one per input
//! error with an `<error>`, and a passing `<testcase>` for a file with
//! neither, so that every linted file shows. No times or timestamps: the
//! output depends only on the outcome.
//!
//! Text from the input is escaped as in every text format (control
//! characters shown as `\n`, `\u{1b}`), then as XML.

use std::fmt::Write as _;

use super::{escape, flush_some, range, span_range};
use crate::diagnostic::{Finding, Problem, Severity};
use crate::engine::Outcome;

pub fn write(outcome: &Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    // The findings and problems of each file, in the run's order.
    let mut findings: Vec<Vec<&Finding>> = vec![Vec::new(); outcome.files.len()];
    for f in &outcome.findings {
        if let Some(v) = findings.get_mut(f.span.file.0 as usize) {
            v.push(f);
        }
    }
    let mut problems: Vec<Vec<&Problem>> = vec![Vec::new(); outcome.files.len()];
    for p in &outcome.problems {
        if let Some(v) = problems.get_mut(p.file.0 as usize) {
            v.push(p);
        }
    }
    let count = |s: Severity| {
        outcome
            .problems
            .iter()
            .filter(|p| p.severity() == s)
            .count()
    };
    let input_errors = count(Severity::Error);
    let cases: usize = (0..outcome.files.len())
        .map(|i| (findings[i].len() + problems[i].len()).max(1))
        .sum();
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stslint\" tests=\"{cases}\" failures=\"{}\" errors=\"{input_errors}\">",
        outcome.findings.len()
    );
    for (i, file) in outcome.files.iter().enumerate() {
        let name = xml(&escape(&file.name));
        let (fs, ps) = (&findings[i], &problems[i]);
        let errors = ps
            .iter()
            .filter(|p| p.severity() == Severity::Error)
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"{errors}\" skipped=\"0\">",
            (fs.len() + ps.len()).max(1),
            fs.len(),
        );
        for p in ps {
            let at = match p.span.map(|s| range(outcome, p.file, s)) {
                Some(r) => format!("{}:{}:{}", escape(&file.name), r.start.line, r.start.column),
                None => escape(&file.name).into_owned(),
            };
            let mut text = format!(
                "{at}: {}[{}] {}",
                p.severity(),
                p.kind.code(),
                escape(&p.message)
            );
            if let Some(h) = &p.help {
                let _ = write!(text, "\nhelp: {}", escape(h));
            }
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"{name}\" file=\"{name}\">",
                xml(&escape(p.kind.code()))
            );
            let body = xml_text(&text);
            if p.severity() == Severity::Error {
                let _ = writeln!(
                    out,
                    "      <error message=\"{}\" type=\"{}\">{body}</error>",
                    xml(&escape(&p.message)),
                    p.kind.code()
                );
            } else {
                let _ = writeln!(out, "      <system-out>{body}</system-out>");
            }
            out.push_str("    </testcase>\n");
            flush_some(&mut out, w)?;
        }
        for f in fs {
            let r = span_range(outcome, f.span);
            let mut text = format!(
                "{}:{}:{}: {}[{}] {}\nobject: {}\nhelp: {}",
                escape(&file.name),
                r.start.line,
                r.start.column,
                f.severity,
                f.rule,
                escape(&f.message),
                escape(&f.object.to_string()),
                escape(&f.help)
            );
            for rel in &f.related {
                let rr = span_range(outcome, rel.span);
                let _ = write!(
                    text,
                    "\nrelated: {}:{}:{}: {}",
                    escape(&outcome.file(rel.span.file).name),
                    rr.start.line,
                    rr.start.column,
                    escape(&rel.message)
                );
            }
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {}\" classname=\"{name}\" file=\"{name}\" line=\"{}\">",
                f.rule,
                xml(&escape(&f.object.to_string())),
                r.start.line
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml(&escape(&f.message)),
                f.severity,
                xml_text(&text)
            );
            out.push_str("    </testcase>\n");
            flush_some(&mut out, w)?;
        }
        if fs.is_empty() && ps.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase name=\"stslint\" classname=\"{name}\" file=\"{name}\"/>"
            );
        }
        out.push_str("  </testsuite>\n");
        flush_some(&mut out, w)?;
    }
    out.push_str("</testsuites>\n");
    w.write_all(out.as_bytes())
}

/// Text as XML character data or an attribute value: the five markup
/// characters as entities, a line break as `&#10;` (an attribute keeps it),
/// and characters XML 1.0 does not allow as `\u{…}` (after [`escape`] there
/// are none, but this function does not rely on it).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    out
}

/// [`xml`] for character data: line breaks kept as they are.
fn xml_text(s: &str) -> String {
    s.split('\n').map(xml).collect::<Vec<_>>().join("\n")
}

/// The characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_line_breaks_and_forbidden_characters_are_escaped() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>\ne\u{1}\u{FFFE}é"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;e\\u{1}\\u{fffe}é"
        );
    }
}
