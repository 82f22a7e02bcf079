//! What must hold for any input, checked by the fuzz targets and replayed by
//! `tests/fuzz_regressions.rs`:
//! - nothing panics;
//! - the JSON and GitLab reports parse, the JUnit report is one document,
//!   and the SARIF parses and has the shape code scanning
//!   reads (`.ci/run` validates the SARIF of the whole fuzz corpus against
//!   the SARIF 2.1.0 schema after the run);
//! - no credential value the detector flags reaches any output;
//! - the output is the same at one thread and at three;
//! - applying every fix of every finding keeps a file that parsed parsing.

use std::sync::OnceLock;

use stslint::engine::{self, Settings};
use stslint::manifest::{load_file, LoadOptions};
use stslint::report::{self, Format, HumanOptions};
use stslint::source::{ByteSpan, FileId, SourceFile};

/// Separates the files of one input: `a.yaml`, `b.yaml`, … in order.
pub const FILE_SEPARATOR: &str = "\n#--- next file ---\n";
const MAX_FILES: usize = 4;
const FORMATS: [Format; 7] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Compact,
    Format::Github,
    Format::Junit,
    Format::Gitlab,
];

/// The files of one fuzz input (invalid UTF-8 read as the replacement
/// character: the encoding check is the reader's, not the pipeline's).
pub fn files(data: &[u8]) -> Vec<SourceFile> {
    let text = String::from_utf8_lossy(data);
    text.splitn(MAX_FILES, FILE_SEPARATOR)
        .enumerate()
        .map(|(i, t)| SourceFile::new(format!("{}.yaml", (b'a' + i as u8) as char), t))
        .collect()
}

fn pool(threads: usize) -> &'static rayon::ThreadPool {
    static ONE: OnceLock<rayon::ThreadPool> = OnceLock::new();
    static THREE: OnceLock<rayon::ThreadPool> = OnceLock::new();
    let cell = if threads == 1 { &ONE } else { &THREE };
    cell.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
    })
}

/// Every format's output for `files`, linted on `threads` threads (at more
/// than one, SARIF is left out: it renders the same outcome as JSON, plus
/// 240 KB of rule metadata that would cost most of the fuzzer's time).
pub fn outputs(files: &[SourceFile], threads: usize) -> Vec<String> {
    pool(threads).install(|| {
        let copies = files
            .iter()
            .map(|f| SourceFile::new(f.name.clone(), f.text.clone()))
            .collect();
        let outcome = engine::lint(copies, Vec::new(), &Settings::default());
        FORMATS
            .iter()
            .map(|&f| match f {
                Format::Sarif if threads > 1 => String::new(),
                f => report::render(&outcome, f, &HumanOptions::default()),
            })
            .collect()
    })
}

/// The whole pipeline on one input.
pub fn pipeline(data: &[u8]) {
    let files = files(data);
    let one = outputs(&files, 1);
    let three = outputs(&files, 3);
    for (i, (a, b)) in one.iter().zip(&three).enumerate() {
        assert!(
            i == 2 || a == b,
            "{:?}: output differs between 1 and 3 threads",
            FORMATS[i]
        );
    }
    let json: serde_json::Value = serde_json::from_str(&one[1]).expect("the JSON output parses");
    let sarif: Sarif = serde_json::from_str(&one[2]).expect("the SARIF output parses");
    let sarif = sarif_shape(sarif);
    let gitlab: serde_json::Value =
        serde_json::from_str(&one[6]).expect("the GitLab output parses");
    assert!(gitlab.is_array(), "the GitLab output is an array");
    assert!(
        one[5].starts_with("<?xml") && one[5].ends_with("</testsuites>\n"),
        "the JUnit output is one document"
    );
    // One workflow command per line: no input text starts another.
    for line in one[4].lines() {
        assert!(
            ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|c| line.starts_with(c)),
            "github output line is not a command: {line:?}"
        );
    }
    fixes_keep_files_valid(&files);
    let secrets = flagged_only(&files);
    if secrets.is_empty() {
        return;
    }
    let mut strings = Vec::new();
    collect_strings(&json, &mut strings);
    collect_strings(&sarif, &mut strings);
    collect_strings(&gitlab, &mut strings);
    for s in &secrets {
        let escaped = report::escape(s);
        let xml = xml_escaped(&escaped);
        for (i, text) in [&one[0], &one[3], &one[4], &one[5]].into_iter().enumerate() {
            assert!(
                !has_word(text, s) && !has_word(text, &escaped) && !has_word(text, &xml),
                "{} output shows the credential {s:?}",
                ["human", "compact", "github", "junit"][i]
            );
        }
        for t in &strings {
            assert!(
                !has_word(t, s),
                "JSON or SARIF shows the credential {s:?} in {t:?}"
            );
        }
    }
}

/// Apply every fix (safe and unsafe) of one run: the files that parsed
/// still parse.
fn fixes_keep_files_valid(files: &[SourceFile]) {
    let copies = || {
        files
            .iter()
            .map(|f| SourceFile::new(f.name.clone(), f.text.clone()))
            .collect()
    };
    let broken = |o: &engine::Outcome, name: &str| {
        o.problems.iter().any(|p| {
            p.kind == stslint::diagnostic::ProblemKind::Syntax && o.file(p.file).name == name
        })
    };
    let before = pool(1).install(|| engine::lint(copies(), Vec::new(), &Settings::default()));
    let mut fixed = Vec::new();
    for (i, f) in before.files.iter().enumerate() {
        let fixes: Vec<&stslint::fix::Fix> = (before.findings.iter())
            .filter(|x| x.span.file.0 as usize == i)
            .filter_map(|x| x.fix.as_deref())
            .collect();
        let (text, n) = stslint::fix::apply(&f.text, &fixes);
        if n > 0 && !broken(&before, &f.name) {
            fixed.push((f.name.clone(), text));
        }
    }
    if fixed.is_empty() {
        return;
    }
    let after_files = files
        .iter()
        .map(|f| match fixed.iter().find(|(n, _)| *n == f.name) {
            Some((n, t)) => SourceFile::new(n.clone(), t.as_str()),
            None => SourceFile::new(f.name.clone(), f.text.clone()),
        })
        .collect();
    let after = pool(1).install(|| engine::lint(after_files, Vec::new(), &Settings::default()));
    for (name, text) in &fixed {
        assert!(!broken(&after, name), "a fix broke {name}:\n{text}");
    }
}

/// Text as the JUnit output writes it in XML.
fn xml_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The texts the credential detector flags that no file holds anywhere else
/// (a value that also names an object may show as that name), and that no
/// output shows for an empty input (rule ids and docs, JSON keys).
pub fn flagged_only(files: &[SourceFile]) -> Vec<String> {
    let results: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, f)| load_file(FileId(i as u32), f, &LoadOptions::default()))
        .collect();
    let vocabulary = vocabulary();
    let mut out = Vec::new();
    for r in &results {
        for t in &r.secret_texts {
            let elsewhere = files
                .iter()
                .zip(&results)
                .any(|(f, fr)| words(&f.text, t).any(|at| !inside(&fr.secret_spans, at)));
            if !elsewhere && !has_word(vocabulary, t) {
                out.push(t.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What every run prints whatever its input.
fn vocabulary() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut v = outputs(&[], 1).join("\n");
        v.push_str(
            "io-error file-too-large not-a-file invalid-encoding syntax-error helm-template invalid-suppression non-standard-yaml note warning error",
        );
        v
    })
}

/// The parts of a SARIF log the oracle reads (the rest is parsed, not kept).
#[derive(serde::Deserialize)]
pub struct Sarif {
    version: String,
    runs: Vec<SarifRun>,
}

#[derive(serde::Deserialize)]
struct SarifRun {
    tool: serde_json::Value,
    results: Vec<serde_json::Value>,
    #[serde(default)]
    invocations: serde_json::Value,
}

/// What GitHub code scanning needs of every result: a rule, a message, and a
/// region whose lines and columns start at 1 and do not run backwards. The
/// results and invocations, to search for credentials.
fn sarif_shape(sarif: Sarif) -> serde_json::Value {
    assert_eq!(sarif.version, "2.1.0");
    let [run] = <[SarifRun; 1]>::try_from(sarif.runs).ok().expect("one run");
    assert!(run.tool["driver"]["name"].is_string());
    for r in &run.results {
        assert!(r["ruleId"].is_string(), "{r}");
        assert!(
            r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{r}"
        );
        let region = &r["locations"][0]["physicalLocation"]["region"];
        let n = |k: &str| region[k].as_u64().expect("a region field");
        assert!(n("startLine") >= 1 && n("startColumn") >= 1, "{r}");
        assert!(
            (n("endLine"), n("endColumn")) >= (n("startLine"), n("startColumn")),
            "{r}"
        );
    }
    serde_json::json!([run.results, run.invocations])
}

fn collect_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Where `word` occurs in `text` as a whole word (no letter or digit on
/// either side), as the masking finds it.
fn words<'t>(text: &'t str, word: &'t str) -> impl Iterator<Item = ByteSpan> + 't {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(word)
        .filter(move |(i, w)| {
            !alnum(text[..*i].chars().next_back()) && !alnum(text[i + w.len()..].chars().next())
        })
        .map(|(i, w)| ByteSpan::new(i, i + w.len()))
}

fn has_word(text: &str, word: &str) -> bool {
    !word.is_empty() && words(text, word).next().is_some()
}

fn inside(spans: &[ByteSpan], at: ByteSpan) -> bool {
    spans.iter().any(|s| s.start <= at.start && at.end <= s.end)
}

/// The YAML reader on any text: no panic, and every span it gives lies inside
/// the text, on character boundaries.
pub fn parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new("t.yaml", text.as_ref());
    let ok = |s: ByteSpan| {
        s.start <= s.end
            && (s.end as usize) <= text.len()
            && text.is_char_boundary(s.start as usize)
            && text.is_char_boundary(s.end as usize)
    };
    match stslint::yaml::parse_documents_as_kubectl(&file) {
        Ok((stream, lenient)) => {
            for l in &lenient {
                assert!(ok(l.span), "leniency span {:?}", l.span);
            }
            for e in &stream.dropped {
                assert!(e.offset.is_none_or(|o| o as usize <= text.len()), "{e:?}");
            }
            let mut todo: Vec<&stslint::yaml::Node> = stream.docs.iter().collect();
            while let Some(n) = todo.pop() {
                assert!(ok(n.span), "node span {:?}", n.span);
                for e in n.entries() {
                    assert!(ok(e.key_span), "key span {:?}", e.key_span);
                    todo.push(&e.value);
                }
                todo.extend(n.items());
            }
        }
        Err(e) => assert!(e.offset.is_none_or(|o| o as usize <= text.len()), "{e:?}"),
    }
}

/// The config loader: any text is a config or located errors, never a panic.
/// Every error points inside the text, and what it prints has no raw control
/// character (a config's text may come from anyone who can open a PR).
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // Lines as every position counts them (`\n`, `\r\n` or a lone `\r`),
    // plus the empty one after a final break.
    let lines = stslint::source::lines_inclusive(&text).count() as u32 + 1;
    match stslint::config::parse(".stslint.yaml", &text) {
        Ok(c) => {
            // What was accepted builds and matches.
            let root = std::path::Path::new("/r");
            let f = stslint::config::PathFilter::new(root, &c.include, &c.exclude);
            let _ = (
                f.excluded(root.join("a/b.yaml").as_path()),
                f.included(root),
            );
            if let Some(ctx) = stslint::config::Contexts::new(root, &c.contexts) {
                let _ = ctx.of("/r/a/b/c.yaml");
            }
            let _ =
                stslint::catalog::ExtraImages::new(&c.data_store_images, &c.peer_to_peer_images);
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an error without errors");
            for e in &errors.0 {
                if let Some((line, col)) = e.at {
                    assert!(line >= 1 && line <= lines, "line {line} of {lines}: {e:?}");
                    assert!(col >= 1, "{e:?}");
                }
                let shown = e.to_string();
                assert!(
                    !shown.chars().any(|c| c.is_control() && c != '\n'),
                    "a control character reaches the terminal: {shown:?}"
                );
            }
        }
    }
}
