//! Heuristics for literal credentials: which names hold secrets, which values
//! cannot be one, URLs with passwords, command-line password flags, password
//! lines in config files and PEM private keys. Nothing here ever returns or
//! formats a value: only names, flags and spans.
//!
//! [`scan`] is THE credential detector: the `hardcoded-credential` rule reports
//! its hits, and the loader records [`credential_spans`] for every file so that
//! reporters mask the same values in every snippet, whatever rules ran.

use crate::manifest::Object;
use crate::path::{join_key, SegRef};
use crate::source::ByteSpan;
use crate::yaml::{Node, Style, Value};

/// `name` as a reader sees it: NFKC-normalised (fullwidth `ＰＡＳＳＷＯＲＤ` is
/// `PASSWORD`) and without invisible format characters (zero-width spaces and
/// joiners, soft hyphens, bidi controls), so that neither hides a secret name.
pub fn fold(name: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if name.is_ascii() {
        return std::borrow::Cow::Borrowed(name);
    }
    std::borrow::Cow::Owned(name.nfkc().filter(|&c| !is_invisible(c)).collect())
}

/// Characters that render as nothing: Unicode's format characters (`Cf`) that
/// text may carry, and the fillers that look like nothing.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{E0000}'..='\u{E007F}')
}

/// Split `DB_ROOT_PASSWORD`, `dbRootPassword`, `db-root.password` into
/// lower-case words (of the [`fold`]ed name).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in fold(name).chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Words that, last in a name, say the value is about a secret, not the secret
/// itself: `PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME`, `ACCESS_KEY_ID`.
const NOT_THE_SECRET: &[&str] = &[
    "file",
    "files",
    "path",
    "dir",
    "directory",
    "ttl",
    "length",
    "len",
    "size",
    "timeout",
    "expiry",
    "expiration",
    "expires",
    "seconds",
    "period",
    "interval",
    "enabled",
    "enable",
    "disabled",
    "type",
    "mode",
    "name",
    "names",
    "ref",
    "id",
    "host",
    "port",
    "user",
    "username",
    "policy",
    "header",
    "field",
    "format",
    "algorithm",
    "version",
    "count",
    "min",
    "max",
    "location",
    "endpoint",
    "url",
    "uri",
    "mount",
    "env",
    "hash",
    "salt",
    "rotation",
    "provider",
    "store",
    "vault",
    "arn",
    "namespace",
    "prefix",
    "suffix",
    "required",
    "regex",
];

/// Whether a variable/key name says it holds a credential.
pub fn is_secret_name(name: &str) -> bool {
    let w = words(name);
    let Some(last) = w.last() else {
        return false;
    };
    if NOT_THE_SECRET.contains(&last.as_str()) || w.iter().any(|x| x == "ttl") {
        return false;
    }
    // etcd's `--initial-cluster-token` names the cluster; it grants nothing
    if w == ["initial", "cluster", "token"] {
        return false;
    }
    // `MYSQL_ALLOW_EMPTY_PASSWORD`, `POSTGRES_HOST_AUTH_METHOD`-style switches
    if w.iter()
        .any(|x| x == "allow" || x == "empty" || x == "random" || x == "generate")
    {
        return false;
    }
    // `RABBITMQ_DEFAULT_PASS`, `MYSQL_PWD` (whole last word: not `PASS_THROUGH`,
    // `BYPASS`, `COMPASS`); Erlang cookies (`RABBITMQ_ERLANG_COOKIE`,
    // `.erlang.cookie`): whoever has the cookie controls the node.
    if matches!(last.as_str(), "pass" | "pwd" | "erlangcookie")
        || w.windows(2).any(|p| p[0] == "erlang" && p[1] == "cookie")
    {
        return true;
    }
    let strong = w.iter().any(|x| {
        x.contains("password")
            || x.contains("passwd")
            || x.contains("passphrase")
            || x.contains("secret")
            || x.contains("credential")
            || matches!(
                x.as_str(),
                "pwd"
                    | "token"
                    | "tokens"
                    | "apikey"
                    | "bearer"
                    | "privatekey"
                    | "accesskey"
                    | "secretkey"
                    | "requirepass"
                    | "masterauth"
            )
    });
    let key_pair = w.windows(2).any(|p| {
        p[1] == "key"
            && matches!(
                p[0].as_str(),
                "api"
                    | "private"
                    | "access"
                    | "secret"
                    | "signing"
                    | "encryption"
                    | "master"
                    | "auth"
            )
            || (p[0] == "key" && p[1] == "content")
    });
    strong || key_pair || last == "key"
}

/// Values that cannot be a literal credential: empty, references
/// (`$(VAR)`, `${VAR}`), file paths, numbers and booleans.
pub fn is_benign_value(v: &str) -> bool {
    let v = v.trim();
    // `<password>`, `{{ .Values.password }}`: placeholders, not values.
    if v.starts_with('<') && v.ends_with('>') || v.contains("{{") || is_placeholder_word(v) {
        return true;
    }
    if v.is_empty()
        || v.starts_with("$(")
        || v.starts_with("${")
        || v.starts_with('$')
            && v.len() > 1
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return true;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("~/") || v.starts_with("file://")
    {
        return true;
    }
    if v.parse::<f64>().is_ok() {
        return true;
    }
    matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "~"
    )
}

/// Values written to be substituted before use: `replace-default-auth` (a
/// chart's init script replaces it), `REPLACE_ME`, `your-password-here`,
/// `placeholder`. (`changeme` and `xxxxx` are not: images ship the first as
/// a working default password, and a committed `xxxxx` is as likely to be
/// deployed as replaced.)
fn is_placeholder_word(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.starts_with("replace")
        || l.starts_with("your-")
        || l.starts_with("your_")
        || l.contains("placeholder")
}

/// Whether the text holds a URL with a literal password (`scheme://user:pass@host`).
pub fn has_url_password(text: &str) -> bool {
    !url_passwords(text).is_empty()
}

/// Whether a command-line word is `--password=literal` (or `--db-token=…`).
pub fn is_secret_flag_with_value(word: &str) -> bool {
    let Some(flag) = word.strip_prefix('-') else {
        return false;
    };
    let Some((name, value)) = flag.trim_start_matches('-').split_once('=') else {
        return false;
    };
    let value = value.trim_matches(['"', '\'']);
    is_secret_name(name) && !is_benign_value(value)
}

/// Whether a command-line word is a bare secret flag (`--password`) whose value
/// is the next word.
pub fn is_secret_flag(word: &str) -> bool {
    word.starts_with("--") && !word.contains('=') && is_secret_name(&word[2..])
}

/// Whether text (a shell script in `args`, say) holds a `--password=literal`
/// word or a URL with a password.
pub fn text_has_credential(text: &str) -> bool {
    has_url_password(text) || text.split_whitespace().any(is_secret_flag_with_value)
}

/// Whether the text holds a PEM private key.
pub fn has_private_key(text: &str) -> bool {
    text.find("BEGIN")
        .is_some_and(|i| text[i..].contains("PRIVATE KEY"))
}

/// The places of a container whose string lists are command lines: the
/// container's own `command` + `args` (one command line), and the `exec`
/// commands of its probes and lifecycle hooks.
const EXEC_PLACES: &[&str] = &[
    "livenessProbe.exec.command",
    "readinessProbe.exec.command",
    "startupProbe.exec.command",
    "lifecycle.postStart.exec.command",
    "lifecycle.preStop.exec.command",
];

/// What a detector hit found. Names, keys and flags only: never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// An env var whose name says it holds a secret, with a literal value.
    EnvSecret {
        name: String,
    },
    /// An env var holding a URL with a password.
    EnvUrl {
        name: String,
    },
    /// An env var holding a PEM private key.
    EnvPem {
        name: String,
    },
    /// An env switch that allows a passwordless root (or every) login.
    EmptyPassword {
        name: String,
        any_value: bool,
    },
    /// `POSTGRES_HOST_AUTH_METHOD: trust`.
    TrustAuth {
        name: String,
    },
    /// A password on a command line. `place`: `args`, `command`,
    /// `livenessProbe.exec.command` …; `flag`: `--password`, `-p`, `-a`,
    /// `PGPASSWORD=`, `a URL`.
    CommandLine {
        place: String,
        flag: String,
    },
    /// A PEM private key in a command line item.
    CommandPem {
        place: String,
    },
    /// A ConfigMap key whose name says it holds a secret.
    DataKey {
        key: String,
    },
    DataUrl {
        key: String,
    },
    DataPem {
        key: String,
    },
    /// A `password: …` setting inside a config file held in a ConfigMap key;
    /// `line` is 1-based within the file.
    DataLine {
        key: String,
        setting: String,
        line: usize,
    },
    /// A PEM private key anywhere else.
    Pem {
        path: String,
    },
}

/// One credential found in an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Field path of the node that holds it.
    pub field: String,
    /// Name of the container, for container fields.
    pub container: Option<String>,
    /// The exact span of the credential (or of the flag and its value), when
    /// it could be computed inside the node; otherwise the finding points at
    /// `field`.
    pub at: Option<ByteSpan>,
    /// Whether `at`/`field` names the key rather than the value (a config file
    /// whose line could not be mapped to the source).
    pub on_key: bool,
    /// The span of the value at `field` (where a finding points when `at` is
    /// not set), so that no one looks the path up again.
    pub node: ByteSpan,
    /// Spans never to show. Empty for switches (`MYSQL_ALLOW_EMPTY_PASSWORD`).
    pub mask: Vec<ByteSpan>,
    pub what: What,
}

/// Every credential in `obj` (whose source text is `text`). Secrets (where
/// credentials belong) have none.
pub fn scan(obj: &Object, text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    if obj.kind == "Secret" && obj.group().is_empty() {
        return hits;
    }
    if let Some(pod) = obj.pod() {
        if let Some(spec) = obj.at(pod.spec_path) {
            for list in ["containers", "initContainers", "ephemeralContainers"] {
                let Some(cs) = spec.get(list) else { continue };
                for (i, c) in cs.items().iter().enumerate() {
                    let base = format!("{}.{list}[{i}]", pod.spec_path);
                    let cname = c.get("name").and_then(Node::as_str).unwrap_or("?");
                    scan_env(c, &base, cname, text, &mut hits);
                    scan_command(c, &base, cname, &["command", "args"], text, &mut hits);
                    for place in EXEC_PLACES {
                        scan_command(c, &base, cname, &[place], text, &mut hits);
                    }
                }
            }
        }
    }
    if obj.kind == "ConfigMap" && obj.group().is_empty() {
        for e in obj.node.get("data").map(Node::entries).unwrap_or_default() {
            scan_data_entry(e, text, &mut hits);
        }
    }
    // PEM private keys anywhere else (CRDs included).
    let seen: Vec<ByteSpan> = hits.iter().flat_map(|h| h.mask.clone()).collect();
    walk_strings(&obj.node, &mut Vec::new(), &mut |path, node, s| {
        if !has_private_key(s) {
            return;
        }
        let inside = seen
            .iter()
            .any(|m| m.start >= node.span.start && m.end <= node.span.end);
        if !inside {
            hits.push(Hit {
                field: crate::path::to_path(path),
                container: None,
                at: None,
                on_key: false,
                node: node.span,
                mask: vec![node.span],
                what: What::Pem {
                    path: String::new(),
                },
            });
        }
    });
    for h in &mut hits {
        if let What::Pem { path } = &mut h.what {
            path.clone_from(&h.field);
        }
    }
    hits
}

/// The spans of `obj` never to show: every value [`scan`] called a credential
/// (kept in [`Object::credentials`]),
/// and every value of a Secret's `data` and `stringData`.
pub fn credential_spans(obj: &Object) -> Vec<ByteSpan> {
    let mut out: Vec<ByteSpan> = obj
        .credentials
        .iter()
        .flat_map(|h| h.mask.iter().copied())
        .collect();
    if obj.kind == "Secret" && obj.group().is_empty() {
        for key in ["data", "stringData"] {
            for e in obj.node.get(key).map(Node::entries).unwrap_or_default() {
                if !e.value.span.is_empty() {
                    out.push(e.value.span);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    if !out.is_empty() {
        widen_to_duplicates(&obj.node, &mut out);
    }
    out
}

/// Whether a mask of `masks` (sorted) lies inside `span`.
fn holds_mask(masks: &[ByteSpan], span: ByteSpan) -> bool {
    let i = masks.partition_point(|m| m.start < span.start);
    masks.get(i).is_some_and(|m| m.end <= span.end)
}

/// A key given twice keeps both values in the source, and a snippet may show
/// either (the duplicate-key finding shows both): when one value of a key
/// holds a credential, mask every value of that key in that mapping.
fn widen_to_duplicates(root: &Node, masks: &mut Vec<ByteSpan>) {
    let mut more = Vec::new();
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => {
                todo.extend(entries.iter().map(|e| &e.value));
                if entries.len() < 2 {
                    continue;
                }
                let mut keys: Vec<(&str, ByteSpan)> = entries
                    .iter()
                    .map(|e| (e.key.as_str(), e.value.span))
                    .collect();
                keys.sort_unstable();
                for same in keys.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
                    if same.iter().any(|&(_, v)| holds_mask(masks, v)) {
                        more.extend(same.iter().map(|&(_, v)| v).filter(|v| !v.is_empty()));
                    }
                }
            }
            _ => {}
        }
    }
    if !more.is_empty() {
        masks.extend(more);
        masks.sort();
        masks.dedup();
    }
}

/// For a file that could not be parsed: the values of `key: value` (and
/// `key=value`) lines whose key names a secret, and command-line credentials
/// on any line. Spans are into `text`.
pub fn line_credential_spans(text: &str) -> Vec<ByteSpan> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        for (r, _) in config_lines(body) {
            out.push(ByteSpan::new(start + r.0, start + r.1));
        }
        for h in shell_hits(body) {
            out.push(ByteSpan::new(start + h.value.0, start + h.value.1));
        }
        start += line.len();
    }
    // env lists: `- name: DB_PASSWORD` followed by `value: …`
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut o = 0usize;
        for l in text.split_inclusive('\n') {
            v.push((o, l.trim_end_matches(['\n', '\r'])));
            o += l.len();
        }
        v
    };
    for w in lines.windows(2) {
        let name = w[0].1.trim_start().trim_start_matches("- ").trim_start();
        let Some(name) = name.strip_prefix("name:") else {
            continue;
        };
        let name = unquote(name.trim());
        if !is_secret_name(name) {
            continue;
        }
        let next = w[1].1;
        let Some(v) = next.trim_start().strip_prefix("value:") else {
            continue;
        };
        let vstart = next.len() - v.len();
        let value = v.trim();
        if is_benign_value(unquote(value)) {
            continue;
        }
        let off = vstart + (v.len() - v.trim_start().len());
        out.push(ByteSpan::new(w[1].0 + off, w[1].0 + off + value.len()));
    }
    secret_data_lines(&lines, &mut out);
    out.sort();
    out.dedup();
    out
}

/// In a document of an unparsed file that says `kind: Secret`: everything
/// under its `data:` and `stringData:` keys (by indentation, flow and block
/// scalars included). A heuristic, as everything about a file that does not
/// parse: it masks more rather than less.
fn secret_data_lines(lines: &[(usize, &str)], out: &mut Vec<ByteSpan>) {
    let key_of = |l: &str| {
        let t = l.trim_start().trim_start_matches(['"', '\'']);
        ["data", "stringData"].into_iter().find(|k| {
            t.strip_prefix(k)
                .is_some_and(|r| r.trim_start_matches(['"', '\'']).starts_with(':'))
        })
    };
    for doc in lines.split(|(_, l)| l.starts_with("---")) {
        let secret = doc.iter().any(|(_, l)| {
            let t = l.trim().replace(['"', '\'', ' '], "");
            t == "kind:Secret" || t.contains("kind:Secret,") || t.contains(",kind:Secret")
        });
        if !secret {
            continue;
        }
        let mut i = 0;
        while i < doc.len() {
            let (at, l) = doc[i];
            i += 1;
            let Some(key) = key_of(l) else { continue };
            let indent = l.len() - l.trim_start().len();
            // the rest of the line after `data:`
            let colon = l.find(key).map_or(0, |k| k + key.len());
            let colon = colon + l[colon..].find(':').map_or(0, |c| c + 1);
            let rest = l[colon..].trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                let from = colon + (l[colon..].len() - l[colon..].trim_start().len());
                out.push(ByteSpan::new(at + from, at + l.trim_end().len()));
            }
            while let Some(&(at, l)) = doc.get(i) {
                let body = l.trim_start();
                if !body.is_empty() && l.len() - body.len() <= indent {
                    break;
                }
                i += 1;
                if body.is_empty() || body.starts_with('#') {
                    continue;
                }
                let from = l.len() - body.len();
                // `key: value`: the value; anything else (a block scalar's
                // line, a flow item): the whole line
                let from = match body.find(": ") {
                    Some(c)
                        if !body.starts_with(['"', '\'', '{', '['])
                            || body[..c].ends_with(['"', '\'']) =>
                    {
                        from + c + 2 + (body[c + 2..].len() - body[c + 2..].trim_start().len())
                    }
                    _ => from,
                };
                let end = l.trim_end().len();
                if from < end {
                    out.push(ByteSpan::new(at + from, at + end));
                }
            }
        }
    }
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// The text of a scalar as written by the user (`yes`, `true`, `1`).
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

fn scan_env(c: &Node, base: &str, cname: &str, text: &str, hits: &mut Vec<Hit>) {
    for (j, e) in c
        .get("env")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(name) = e.get("name").and_then(Node::as_str) else {
            continue;
        };
        let Some(v) = e.get("value") else { continue };
        let field = format!("{base}.env[{j}].value");
        let hit = |what: What, mask: Vec<ByteSpan>| Hit {
            field: field.clone(),
            container: Some(cname.to_string()),
            at: None,
            on_key: false,
            node: v.span,
            mask,
            what,
        };
        if let Some(what) = passwordless_switch(name, v) {
            hits.push(hit(what, Vec::new()));
            continue;
        }
        let Some(s) = v.as_str() else { continue };
        let what = if is_secret_name(name) && !is_benign_value(s) {
            What::EnvSecret { name: name.into() }
        } else if let Some(r) = url_passwords(s).first() {
            let mask = source_span(v, text, *r).unwrap_or(v.span);
            hits.push(hit(What::EnvUrl { name: name.into() }, vec![mask]));
            continue;
        } else if has_private_key(s) {
            What::EnvPem { name: name.into() }
        } else {
            continue;
        };
        hits.push(hit(what, vec![v.span]));
    }
}

/// `MYSQL_ALLOW_EMPTY_PASSWORD`, `MARIADB_ALLOW_EMPTY_ROOT_PASSWORD` (any
/// non-empty value switches them on), bitnami's `ALLOW_EMPTY_PASSWORD`
/// (`yes`), `POSTGRES_HOST_AUTH_METHOD: trust`.
fn passwordless_switch(name: &str, v: &Node) -> Option<What> {
    let value = scalar_text(v)?;
    let value = value.trim();
    let w = words(name);
    if w.last().is_some_and(|l| l == "password")
        && w.iter().any(|x| x == "allow")
        && w.iter().any(|x| x == "empty")
    {
        // The official mysql and mariadb entrypoints test `-n "$VAR"`.
        let any_value = matches!(w[0].as_str(), "mysql" | "mariadb");
        let on = if any_value {
            !value.is_empty() && !value.starts_with('$')
        } else {
            matches!(
                value.to_ascii_lowercase().as_str(),
                "yes" | "true" | "1" | "on" | "y"
            )
        };
        return on.then(|| What::EmptyPassword {
            name: name.into(),
            any_value,
        });
    }
    (w == ["postgres", "host", "auth", "method"] && value.eq_ignore_ascii_case("trust"))
        .then(|| What::TrustAuth { name: name.into() })
}

/// One token of a command line: which item it comes from and its byte range
/// in that item's (decoded) string.
#[derive(Clone, Copy, Debug)]
struct Tok<'n> {
    node: &'n Node,
    item: usize,
    place: usize,
    range: (usize, usize),
}

fn scan_command(
    c: &Node,
    base: &str,
    cname: &str,
    places: &[&str],
    text: &str,
    hits: &mut Vec<Hit>,
) {
    // One token stream for `command` + `args`: a separator (None) between
    // shell segments; an item with whitespace in it is a script.
    let mut toks: Vec<Option<Tok>> = Vec::new();
    let mut pems = Vec::new();
    for (p, place) in places.iter().enumerate() {
        let resolved = crate::path::resolve(c, place);
        if !resolved.found {
            continue;
        }
        let list = resolved.node;
        for (k, item) in list.items().iter().enumerate() {
            let Some(s) = item.as_str() else { continue };
            if has_private_key(s) {
                pems.push((p, k, item));
                continue;
            }
            if s.contains(char::is_whitespace) {
                toks.push(None);
                for w in shell_words(s) {
                    toks.push(w.map(|range| Tok {
                        node: item,
                        item: k,
                        place: p,
                        range,
                    }));
                }
                toks.push(None);
            } else {
                toks.push(Some(Tok {
                    node: item,
                    item: k,
                    place: p,
                    range: (0, s.len()),
                }));
            }
        }
    }
    let mut seen: Vec<(usize, usize, (usize, usize))> = Vec::new();
    for seg in toks.split(Option::is_none) {
        let seg: Vec<Tok> = seg.iter().flatten().copied().collect();
        let words: Vec<&str> = seg.iter().map(|t| tok_text(t)).collect();
        for h in analyse_segment(&words) {
            let (t, v) = (seg[h.value_tok], seg[h.flag_tok]);
            let key = (t.place, t.item, h.value);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            // the value's range inside its item
            let vr = (t.range.0 + h.value.0, t.range.0 + h.value.1);
            let mask = source_span(t.node, text, vr).unwrap_or(t.node.span);
            let at = (v.item == t.item && v.place == t.place)
                .then(|| source_span(t.node, text, (v.range.0 + h.flag_start, vr.1)))
                .flatten()
                .filter(|a| *a != t.node.span);
            let place = places[t.place];
            hits.push(Hit {
                field: format!("{base}.{place}[{}]", t.item),
                container: Some(cname.to_string()),
                at,
                on_key: false,
                node: t.node.span,
                mask: vec![mask],
                what: What::CommandLine {
                    place: place.to_string(),
                    flag: h.flag,
                },
            });
        }
    }
    for (p, k, item) in pems {
        let place = places[p];
        hits.push(Hit {
            field: format!("{base}.{place}[{k}]"),
            container: Some(cname.to_string()),
            at: None,
            on_key: false,
            node: item.span,
            mask: vec![item.span],
            what: What::CommandPem {
                place: place.to_string(),
            },
        });
    }
}

fn tok_text<'n>(t: &Tok<'n>) -> &'n str {
    t.node
        .as_str()
        .and_then(|s| s.get(t.range.0..t.range.1))
        .unwrap_or("")
}

/// A credential in a command line segment: the token of the flag, the token
/// holding the value, the value's byte range in that token and where the flag
/// starts in the flag token.
#[derive(Debug, PartialEq, Eq)]
struct ShellHit {
    flag_tok: usize,
    flag_start: usize,
    value_tok: usize,
    value: (usize, usize),
    flag: String,
}

/// Commands whose `-p<password>` (attached) is a password.
const MYSQL_CLIENTS: &[&str] = &[
    "mysql",
    "mysqladmin",
    "mysqldump",
    "mysqlcheck",
    "mysqlshow",
    "mysqlimport",
    "mysqlpump",
    "mysqlsh",
    "mariadb",
    "mariadb-admin",
    "mariadb-dump",
    "mariadb-check",
    "mariadb-show",
    "mariadb-import",
];

/// The range of a token's value without surrounding quotes.
fn unquoted_range(tok: &str, r: (usize, usize)) -> (usize, usize) {
    let v = &tok[r.0..r.1];
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return (r.0 + 1, r.1 - 1);
        }
    }
    r
}

fn literal(tok: &str, r: (usize, usize)) -> bool {
    // `MASTER_PASSWORD='',` in SQL
    let v = tok[r.0..r.1].trim_end_matches([',', ';']);
    let v = unquote(v);
    !is_benign_value(v) && !v.starts_with('$') && !v.starts_with('`')
}

/// Find credentials in one shell segment (a simple command: words up to `;`,
/// `&&`, `|` …). `words` are the raw tokens (quotes kept).
fn analyse_segment(words: &[&str]) -> Vec<ShellHit> {
    let mut out = Vec::new();
    let is_assign = |w: &str| {
        w.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !n.starts_with(|c: char| c.is_ascii_digit())
        })
    };
    // the command: the first word that is not `VAR=value`, `exec`, `env` …
    let cmd = words
        .iter()
        .find(|w| {
            !is_assign(w)
                && !matches!(
                    **w,
                    "exec" | "env" | "sudo" | "nohup" | "time" | "command" | "export"
                )
        })
        .map(|w| unquote(w).rsplit('/').next().unwrap_or(""))
        .unwrap_or("");
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let push = |out: &mut Vec<ShellHit>, vt: usize, value: (usize, usize), flag: &str| {
            out.push(ShellHit {
                flag_tok: i,
                flag_start: 0,
                value_tok: vt,
                value,
                flag: flag.to_string(),
            });
        };
        // URLs with a password, in any word
        for r in url_passwords(w) {
            push(&mut out, i, r, "a URL");
        }
        if is_assign(w) {
            // `PGPASSWORD=… psql`, `export MYSQL_PWD=…`
            if let Some((n, _)) = w.split_once('=') {
                let r = unquoted_range(w, (n.len() + 1, w.len()));
                if is_secret_name(n) && literal(w, r) {
                    push(&mut out, i, r, &format!("{n}="));
                }
            }
        } else if let Some(flag) = w.strip_prefix('-') {
            let next = words.get(i + 1).copied();
            let next_value = next.filter(|n| !n.starts_with('-'));
            if let Some((name, _)) = w.split_once('=') {
                let r = unquoted_range(w, (name.len() + 1, w.len()));
                let bare = name.trim_start_matches('-');
                if is_secret_name(bare) && literal(w, r) {
                    push(&mut out, i, r, name);
                } else if matches!(name, "--user" | "-u") && cmd == "curl" {
                    if let Some(c) = w[r.0..r.1].find(':') {
                        let r = (r.0 + c + 1, r.1);
                        if literal(w, r) {
                            push(&mut out, i, r, name);
                        }
                    }
                }
            } else if is_secret_flag(w) || (w == "-a" && cmd == "redis-cli") {
                if let Some(n) = next_value {
                    let r = unquoted_range(n, (0, n.len()));
                    if literal(n, r) {
                        push(&mut out, i + 1, r, w);
                        i += 1;
                    }
                }
            } else if matches!(w, "-u" | "--user") && cmd == "curl" {
                if let Some(n) = next_value {
                    let r = unquoted_range(n, (0, n.len()));
                    if let Some(c) = n[r.0..r.1].find(':') {
                        let r = (r.0 + c + 1, r.1);
                        if literal(n, r) {
                            push(&mut out, i + 1, r, w);
                        }
                    }
                    i += 1;
                }
            } else if flag.starts_with('p')
                && !flag.starts_with("p=")
                && flag.len() > 1
                && MYSQL_CLIENTS.contains(&cmd)
            {
                // `-psecret` (attached; `-p 3306`, `-P3306` are ports)
                let r = unquoted_range(w, (2, w.len()));
                if literal(w, r) {
                    push(&mut out, i, r, "-p");
                }
            }
        }
        i += 1;
    }
    out
}

/// Split a shell script into words (byte ranges; quotes kept) with `None`
/// between simple commands (`;`, `&&`, `||`, `|`, newlines). Not a shell
/// parser: enough to find flags and their values.
fn shell_words(s: &str) -> Vec<Option<(usize, usize)>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' | b';' | b'|' | b'&' | b'(' | b')' | b'{' | b'}' => {
                out.push(None);
                i += 1;
            }
            b'#' => {
                // a comment runs to the end of the line
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let start = i;
                let mut depth = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 1,
                        q @ (b'"' | b'\'') => {
                            i += 1;
                            while i < b.len() && b[i] != q {
                                if b[i] == b'\\' && q == b'"' {
                                    i += 1;
                                }
                                i += 1;
                            }
                        }
                        b'$' if b.get(i + 1) == Some(&b'(') => {
                            depth += 1;
                            i += 1;
                        }
                        b')' if depth > 0 => depth -= 1,
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'&' | b')' if depth == 0 => {
                            break
                        }
                        _ => {}
                    }
                    i += 1;
                }
                let end = i.min(b.len());
                if s.is_char_boundary(start) && s.is_char_boundary(end) {
                    out.push(Some((start, end)));
                }
            }
        }
    }
    out
}

/// Credentials on the command lines of a script, as ranges of `text`.
fn shell_hits(text: &str) -> Vec<ScriptHit> {
    let words = shell_words(text);
    let mut out = Vec::new();
    for seg in words.split(Option::is_none) {
        let seg: Vec<(usize, usize)> = seg.iter().flatten().copied().collect();
        let ws: Vec<&str> = seg.iter().map(|r| &text[r.0..r.1]).collect();
        for h in analyse_segment(&ws) {
            let t = seg[h.value_tok];
            out.push(ScriptHit {
                flag: h.flag,
                value: (t.0 + h.value.0, t.0 + h.value.1),
            });
        }
    }
    out
}

struct ScriptHit {
    flag: String,
    value: (usize, usize),
}

/// `password: x`, `password = x`, `"password": "x"`, `requirepass x`: the
/// value's range in the line and the setting's name.
fn config_lines(line: &str) -> Vec<((usize, usize), String)> {
    let t = line.trim_start();
    let lead = line.len() - t.len();
    if t.starts_with(['#', ';', '/', '-', '[']) && !t.starts_with("- ") {
        return Vec::new();
    }
    let t2 = t.strip_prefix("- ").unwrap_or(t);
    let lead = lead + (t.len() - t2.len());
    let t = t2;
    // the key: up to `:` / `=` / whitespace (redis.conf)
    let (key, rest_at) = if let Some(q) = t.strip_prefix('"') {
        let Some(e) = q.find('"') else {
            return Vec::new();
        };
        (&q[..e], e + 2)
    } else {
        let e = t
            .find(|c: char| c == ':' || c == '=' || c.is_whitespace())
            .unwrap_or(t.len());
        (&t[..e], e)
    };
    let rest = &t[rest_at..];
    let after_ws = rest.trim_start();
    let (sep_ok, vpart) = if let Some(v) = after_ws.strip_prefix(':').or(after_ws.strip_prefix('='))
    {
        // `password:x` is not YAML but is a config line; a URL is not a key
        (!v.starts_with("//"), v)
    } else {
        // `requirepass foobared` (redis.conf): only for those settings
        (matches!(key, "requirepass" | "masterauth"), after_ws)
    };
    if !sep_ok || key.is_empty() || !is_secret_name(key) {
        return Vec::new();
    }
    let vtrim = vpart.trim_start();
    let vstart = lead
        + rest_at
        + (rest.len() - after_ws.len())
        + (after_ws.len() - vpart.len())
        + (vpart.len() - vtrim.len());
    // the value: quoted, or up to a ` #` comment / trailing `,`
    let (a, b) = if let Some(q @ ('"' | '\'')) = vtrim.chars().next() {
        match vtrim[1..].find(q) {
            Some(e) => (1, 1 + e),
            None => return Vec::new(),
        }
    } else {
        let e = vtrim.find(" #").unwrap_or(vtrim.len());
        let v = vtrim[..e].trim_end().trim_end_matches(',');
        (0, v.len())
    };
    let v = &vtrim[a..b];
    if v.is_empty() || is_benign_value(v) || v.starts_with(['$', '|', '>', '{', '[', '&', '*', '%'])
    {
        return Vec::new();
    }
    vec![((vstart + a, vstart + b), key.to_string())]
}

fn scan_data_entry(e: &crate::yaml::Entry, text: &str, hits: &mut Vec<Hit>) {
    let Some(v) = e.value.as_str() else { return };
    let field = join_key("data", &e.key);
    let mut hit = |what: What, at: Option<ByteSpan>, on_key: bool, mask: ByteSpan| {
        hits.push(Hit {
            field: field.clone(),
            container: None,
            at,
            on_key,
            node: e.value.span,
            mask: vec![mask],
            what,
        })
    };
    if !v.trim_end().contains('\n') {
        if is_secret_name(&e.key) && !is_benign_value(v) {
            hit(
                What::DataKey { key: e.key.clone() },
                None,
                false,
                e.value.span,
            );
        } else if has_private_key(v) {
            hit(
                What::DataPem { key: e.key.clone() },
                None,
                false,
                e.value.span,
            );
        } else if let Some(r) = url_passwords(v).first() {
            let m = source_span(&e.value, text, *r).unwrap_or(e.value.span);
            hit(What::DataUrl { key: e.key.clone() }, None, false, m);
        }
        return;
    }
    // A config file (or a script): look at it line by line.
    if has_private_key(v) {
        hit(
            What::DataPem { key: e.key.clone() },
            None,
            false,
            e.value.span,
        );
        return;
    }
    let mut found: Vec<((usize, usize), String, usize)> = Vec::new();
    let mut off = 0usize;
    for (n, line) in v.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        for (r, key) in config_lines(body) {
            found.push(((off + r.0, off + r.1), format!("`{key}`"), n + 1));
        }
        for r in url_passwords(body) {
            found.push((
                (off + r.0, off + r.1),
                "a URL with a password".into(),
                n + 1,
            ));
        }
        off += line.len();
    }
    for h in shell_hits(v) {
        let line = v[..h.value.0].matches('\n').count() + 1;
        found.push((h.value, format!("`{}`", h.flag), line));
    }
    found.sort_by_key(|f| f.0);
    found.dedup_by(|a, b| a.0 .0 < b.0 .1 && b.0 .0 < a.0 .1);
    for (r, setting, line) in found {
        let span = source_span(&e.value, text, r);
        let what = What::DataLine {
            key: e.key.clone(),
            setting,
            line,
        };
        match span {
            Some(s) => hit(what, Some(s), false, s),
            None => hit(what, Some(e.key_span), true, e.value.span),
        }
    }
}

/// The byte ranges of passwords in URLs (`scheme://user:PASS@host`).
pub fn url_passwords(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut base = 0usize;
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let after_at = base + i + 3;
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        if let Some(at) = authority.rfind('@') {
            if let Some((user, pass)) = authority[..at].split_once(':') {
                if !pass.is_empty() && !is_benign_value(pass) && !pass.starts_with('$') {
                    let s = after_at + user.len() + 1;
                    out.push((s, s + pass.len()));
                }
            }
        }
        base = after_at + end;
        rest = &after[end..];
    }
    out
}

/// The source span of the byte range `r` of a string node's decoded value,
/// when the source spells that part of the value verbatim: plain and quoted
/// scalars without escapes, literal (`|`) block scalars. `None` otherwise
/// (folded `>`, escapes, explicit indentation indicators).
pub fn source_span(node: &Node, text: &str, r: (usize, usize)) -> Option<ByteSpan> {
    let s = node.as_str()?;
    if r.0 > r.1 || r.1 > s.len() || s[r.0..r.1].contains('\n') {
        return None;
    }
    let base = node.span.start as usize;
    let src = text.get(base..node.span.end as usize)?;
    match node.style {
        Style::Plain if src == s => Some(ByteSpan::new(base + r.0, base + r.1)),
        Style::SingleQuoted | Style::DoubleQuoted
            if src.len() >= 2 && &src[1..src.len() - 1] == s =>
        {
            Some(ByteSpan::new(base + 1 + r.0, base + 1 + r.1))
        }
        Style::Block => block_span(text, base, s, r).map(|(a, b)| ByteSpan::new(a, b)),
        _ => None,
    }
}

/// A literal block scalar's node span starts at its first content character
/// (after the `|` line and the indentation).
fn block_span(text: &str, start: usize, s: &str, r: (usize, usize)) -> Option<(usize, usize)> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if line_start == 0 || !text[line_start..start].bytes().all(|b| b == b' ') {
        return None;
    }
    let indent = start - line_start;
    let header_line = text[..line_start - 1].rsplit('\n').next().unwrap_or("");
    let header = match header_line.find(" #") {
        Some(c) => &header_line[..c],
        None => header_line,
    }
    .trim_end();
    if !(header.ends_with('|') || header.ends_with("|-") || header.ends_with("|+")) {
        return None;
    }
    // rebuild the value from the source lines; it must match
    let mut lines: Vec<(usize, &str)> = Vec::new(); // (source offset, content)
    let mut off = line_start;
    for l in text[line_start..].split_inclusive('\n') {
        let content = l.trim_end_matches('\n');
        if content.contains('\r') {
            return None;
        }
        let blank = content.trim().is_empty();
        if !blank && !content.get(..indent)?.bytes().all(|b| b == b' ') {
            break;
        }
        lines.push((off + indent, content.get(indent..).unwrap_or("")));
        off += l.len();
    }
    let rebuilt: Vec<&str> = lines.iter().map(|l| l.1).collect();
    if rebuilt.join("\n").trim_end_matches('\n') != s.trim_end_matches('\n') {
        return None;
    }
    let mut at = 0usize;
    for (src_off, c) in lines {
        if r.0 >= at && r.1 <= at + c.len() {
            return Some((src_off + r.0 - at, src_off + r.1 - at));
        }
        at += c.len() + 1;
    }
    None
}

/// Call `f` on every string below `node` with the steps that lead to it;
/// the path is only turned into text by the callers that need it.
fn walk_strings<'n>(
    node: &'n Node,
    path: &mut Vec<SegRef<'n>>,
    f: &mut impl FnMut(&[SegRef<'n>], &'n Node, &'n str),
) {
    match &node.value {
        Value::Str(s) => f(path, node, s),
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                path.push(SegRef::Index(i));
                walk_strings(n, path, f);
                path.pop();
            }
        }
        Value::Map(entries) => {
            for e in entries {
                path.push(SegRef::Key(&e.key));
                walk_strings(&e.value, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// What a masked credential reads as: the same whatever the value's length.
pub const MASK: &str = "****";

/// Credential texts shorter than this are not searched for: a short word
/// recurs by chance (a two-letter password would mask half of every message).
const MIN_TEXT: usize = 4;

/// The decoded values of `obj`'s scalars at `spans` (sorted): what a message
/// printing them would show, escapes resolved (see [`secret_texts`]).
pub fn secret_values(obj: &Object, spans: &[ByteSpan], out: &mut Vec<Box<str>>) {
    let i = spans.partition_point(|m| m.end <= obj.node.span.start);
    if spans.get(i).is_none_or(|m| m.start >= obj.node.span.end) {
        return;
    }
    let mut todo = vec![&obj.node];
    while let Some(n) = todo.pop() {
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().map(|e| &e.value)),
            Value::Str(v) if spans.binary_search(&n.span).is_ok() => out.push(v.as_str().into()),
            _ => {}
        }
    }
}

/// The texts of the credential values at `spans` (sorted) of `text` that a
/// message could print: each line of the source text, unquoted, and of the
/// decoded `values` of the scalars there ([`secret_values`]). Only those that
/// the file holds nowhere else than at `spans` (as whole words): a value that
/// also names an object (a password `minio` for MinIO) is that name too, and
/// masking it everywhere would mask the object. Booleans, numbers,
/// references and short texts are left out.
pub fn secret_texts(text: &str, spans: &[ByteSpan], values: &[Box<str>]) -> Vec<Box<str>> {
    let mut out: Vec<Box<str>> = Vec::new();
    let mut push = |v: &str| {
        for line in v.lines() {
            let t = unquote(line.trim().trim_end_matches(',')).trim();
            if t.chars().count() >= MIN_TEXT && !is_benign_value(t) {
                out.push(t.into());
            }
        }
    };
    for s in spans {
        if let Some(v) = text.get(s.start as usize..s.end as usize) {
            push(v);
        }
    }
    for v in values {
        push(v);
    }
    out.sort();
    out.dedup();

    // Overlapping and nested spans merged, to tell what lies inside one.
    let mut merged: Vec<ByteSpan> = Vec::with_capacity(spans.len());
    for &s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    let mut elsewhere = vec![false; out.len()];
    let mut found = |i: usize, at: ByteSpan| {
        let k = merged.partition_point(|m| m.start <= at.start);
        if !(k > 0 && merged[k - 1].end >= at.end) {
            elsewhere[i] = true;
        }
    };
    // A few texts (the usual case): a substring search each; many: one pass.
    if out.len() <= 8 {
        for (i, t) in out.iter().enumerate() {
            for (at, w) in text.match_indices(t.as_ref()) {
                if is_whole_word(text, at, at + w.len()) {
                    found(i, ByteSpan::new(at, at + w.len()));
                }
            }
        }
    } else if let Some(all) = Scrubber::once(&out) {
        for (i, at) in all.find_patterns(text) {
            found(i, at);
        }
    }
    let mut keep = elsewhere.iter().map(|e| !e);
    out.retain(|_| keep.next().unwrap_or(false));
    out
}

/// Whether `text[start..end]` is a whole word: no letter or digit on either
/// side.
fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    !word(text[..start].chars().next_back()) && !word(text[end..].chars().next())
}

/// Finds credential texts, as whole words, in other text: to keep them out
/// of every message.
pub struct Scrubber {
    ac: aho_corasick::AhoCorasick,
}

impl Scrubber {
    /// `None` when there is nothing to find. For a run: built once, used on
    /// every message, so the automaton may take time to build (a DFA).
    pub fn new(texts: &[Box<str>]) -> Option<Scrubber> {
        Scrubber::build(texts, None)
    }

    /// For one search of one file: an automaton quick to build.
    fn once(texts: &[Box<str>]) -> Option<Scrubber> {
        Scrubber::build(texts, Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
    }

    fn build(texts: &[Box<str>], kind: Option<aho_corasick::AhoCorasickKind>) -> Option<Scrubber> {
        if texts.is_empty() {
            return None;
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(kind)
            .build(texts.iter().map(|t| t.as_bytes()))
            .ok()?;
        Some(Scrubber { ac })
    }

    /// Every whole-word occurrence in `text`, with the index of its text.
    fn find_patterns<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, ByteSpan)> + 't {
        self.ac
            .find_iter(text.as_bytes())
            .filter(move |m| is_whole_word(text, m.start(), m.end()))
            .map(|m| (m.pattern().as_usize(), ByteSpan::new(m.start(), m.end())))
    }

    /// `s` with every occurrence masked.
    pub fn scrub<'a>(&self, s: &'a str) -> std::borrow::Cow<'a, str> {
        let mut found = self.find_patterns(s).peekable();
        if found.peek().is_none() {
            return std::borrow::Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len());
        let mut pos = 0;
        for (_, f) in found {
            out.push_str(&s[pos..f.start as usize]);
            out.push_str(MASK);
            pos = f.end as usize;
        }
        out.push_str(&s[pos..]);
        std::borrow::Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("DB_ROOT_PASSWORD"), ["db", "root", "password"]);
        assert_eq!(words("dbRootPassword"), ["db", "root", "password"]);
        assert_eq!(
            words("OCI_CLI_KEY_CONTENT"),
            ["oci", "cli", "key", "content"]
        );
    }

    #[test]
    fn names_are_read_as_they_look() {
        // zero-width space, word joiner, soft hyphen; fullwidth; a ligature
        for name in [
            "PASS\u{200B}WORD",
            "DB_PASS\u{2060}WORD",
            "pass\u{00AD}word",
            "\u{FF30}\u{FF21}\u{FF33}\u{FF33}\u{FF37}\u{FF2F}\u{FF32}\u{FF24}",
            "API_\u{FF2B}EY",
            "\u{202E}TOKEN",
        ] {
            assert!(is_secret_name(name), "{name:?}");
        }
        assert_eq!(fold("ＤＢ\u{200B}"), "DB");
        assert!(!is_secret_name("PASS\u{200B}_THROUGH"));
    }

    #[test]
    fn secret_names() {
        for n in [
            "password",
            "MYSQL_ROOT_PASSWORD",
            "PGPASSWORD",
            "my_password",
            "AWS_SECRET_ACCESS_KEY",
            "AZURE_BATCH_KEY",
            "OCI_CLI_KEY_CONTENT",
            "GITHUB_TOKEN",
            "apiKey",
            "API_KEY",
            "PRIVATE_KEY",
            "client-secret",
            "REDIS_PASSWD",
            "credentials",
            "db.password",
            "RABBITMQ_DEFAULT_PASS",
            "MYSQL_PWD",
            "RABBITMQ_ERLANG_COOKIE",
            ".erlang.cookie",
            "requirepass",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "POSTGRES_PASSWORD_FILE",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "TOKEN_TTL_SECONDS",
            "PASSWORD_LENGTH",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "user_name",
            "greeting",
            "PGDATA",
            "KEY_PATH",
            "TOKEN_TTL",
            "POSTGRES_USER",
            "keyspace",
            "monkey",
            "PASS_THROUGH",
            "BYPASS",
            "PASSIVE",
            "COMPASS",
            "initial-cluster-token",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn benign_values() {
        for v in [
            "",
            "  ",
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "$PASS",
            "/etc/secret/pw",
            "5432",
            "true",
            "no",
        ] {
            assert!(is_benign_value(v), "{v:?}");
        }
        for v in [
            "replace-default-auth",
            "REPLACE_ME",
            "your-password-here",
            "<placeholder>",
        ] {
            assert!(is_benign_value(v), "{v:?}");
        }
        for v in ["hunter2", "changeme", "s3cr3t!", "xxxxx"] {
            assert!(!is_benign_value(v), "{v:?}");
        }
    }

    #[test]
    fn urls_and_flags() {
        assert!(has_url_password("postgres://app:hunter2@db:5432/app"));
        assert!(has_url_password("x redis://:hunter2@cache:6379/0 y"));
        assert!(!has_url_password("postgres://app@db:5432/app"));
        assert!(!has_url_password("postgres://app:$(DB_PASSWORD)@db/app"));
        assert!(!has_url_password("http://example.com:8080/path"));
        assert!(is_secret_flag_with_value("--password=hunter2"));
        assert!(is_secret_flag_with_value("--db-token='abc'"));
        assert!(!is_secret_flag_with_value("--password=$(PW)"));
        assert!(!is_secret_flag_with_value("--password-file=/run/pw"));
        assert!(is_secret_flag("--password"));
        assert!(!is_secret_flag("--port"));
        assert!(text_has_credential(
            "mysqld --user=mysql --password=hunter2"
        ));
    }

    #[test]
    fn private_keys() {
        assert!(has_private_key("-----BEGIN RSA PRIVATE KEY-----\nabc"));
        assert!(has_private_key("---BEGIN OPENSSH PRIVATE KEY---"));
        assert!(!has_private_key("-----BEGIN CERTIFICATE-----"));
    }
}
