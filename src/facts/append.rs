//! Where a fix may write a new document beside a workload, and what it
//! needs to write one: the facts behind the fixes of
//! `missing-headless-service` (a headless Service) and `missing-pdb` (a
//! PodDisruptionBudget).
//!
//! Read while the StatefulSet or Deployment is alive ([`extract`]), kept as
//! one small record ([`Append`]: an offset, a label mask, a few bits of
//! style, and for StatefulSets their container ports), and turned into YAML
//! text only when a rule reports ([`service_fix`], [`pdb_fix`]). A workload
//! gets no record where a new document cannot be placed with certainty: an
//! item of a `kind: List`, a JSON or flow-style document, a document not
//! followed by a clean line boundary (the next `---`, or the end of the
//! file, after nothing but blank, comment or `...` lines), a selector with
//! `matchExpressions`, or one that is not a subset of the pod template
//! labels.

use std::borrow::Cow;

use super::{trim, Extract, Facts, ObjId, Sym};
use crate::fix::{Edit, Fix};
use crate::manifest::{Object, Typed};
use crate::validation::{is_iana_svc_name, is_label_value, is_qualified_name};
use crate::yaml::{Node, Value};

/// What one batch of files contributes, by object (`local`) order.
#[derive(Default)]
pub struct FileAppends {
    pub items: Vec<Append>,
    /// The container ports of the StatefulSets (see [`Append::ports`]).
    pub ports: Vec<Port>,
}

/// A StatefulSet or Deployment after whose document a new one can go.
#[derive(Clone, Copy, Debug)]
pub struct Append {
    /// The object's place in its batch.
    pub local: u32,
    /// Where the new document goes: the start of the line of the next
    /// `---`, or the end of the text.
    pub at: u32,
    /// StatefulSets: where their containers' ports start in
    /// [`FileAppends::ports`] (`ports_len` of them), when a Service can name
    /// them all.
    ports_start: u32,
    /// Which pod template labels (bit `i`: the `i`-th in key order) make up
    /// `spec.selector.matchLabels`: never 0.
    selector: u16,
    ports_len: u8,
    style: u8,
}

const CRLF: u8 = 1;
/// The text does not end in a newline (`at` is its end): write one first.
const NEWLINE_FIRST: u8 = 2;
/// `metadata.namespace` is written on the workload.
const NAMESPACE: u8 = 4;
/// Sequence items are indented under their key (`containers:\n  - name`).
const SEQ_INDENT: u8 = 8;
/// The ports can be written on a Service (StatefulSets only).
const PORTS_OK: u8 = 16;
/// The indentation unit (1 to 7 spaces), in the top three bits.
const UNIT_SHIFT: u8 = 5;

impl Append {
    pub fn ports_ok(&self) -> bool {
        self.style & PORTS_OK != 0
    }

    fn has(&self, bit: u8) -> bool {
        self.style & bit != 0
    }

    fn unit(&self) -> usize {
        (self.style >> UNIT_SHIFT) as usize
    }
}

/// A container port, as a Service port will name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: Option<Sym>,
    pub number: u16,
    pub protocol: Protocol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    fn of(s: Option<&str>) -> Option<Protocol> {
        match s {
            None | Some("TCP") => Some(Protocol::Tcp),
            Some("UDP") => Some(Protocol::Udp),
            Some("SCTP") => Some(Protocol::Sctp),
            Some(_) => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

impl FileAppends {
    pub fn get(&self, local: usize) -> Option<&Append> {
        let i = self
            .items
            .binary_search_by_key(&(local as u32), |a| a.local)
            .ok()?;
        self.items.get(i)
    }

    pub fn ports(&self, a: &Append) -> &[Port] {
        let start = a.ports_start as usize;
        self.ports
            .get(start..start + a.ports_len as usize)
            .unwrap_or_default()
    }

    pub fn shrink(&mut self) {
        trim(&mut self.items);
        trim(&mut self.ports);
    }
}

/// Record where a document can go after `obj`'s, if `obj` is a StatefulSet
/// or Deployment a fix may write a companion for.
pub fn extract(obj: &Object, x: &Extract<'_>, local: u32, out: &mut FileAppends) {
    let sts = match &obj.typed {
        Typed::StatefulSet(_) => true,
        Typed::Deployment(_) => false,
        _ => return,
    };
    let Some(pod) = obj.pod() else { return };
    let Some(selector) = selector_mask(obj, pod.labels_or_empty()) else {
        return;
    };
    let text: &str = &obj.source;
    let Some((at, newline_first)) = place(text, &obj.node) else {
        return;
    };
    let mut style = (layout(text, &obj.node) << UNIT_SHIFT) as u8;
    if crate::fix::yaml::Text::new(text).newline() == "\r\n" {
        style |= CRLF;
    }
    if newline_first {
        style |= NEWLINE_FIRST;
    }
    let ns_written = obj
        .at("metadata.namespace")
        .and_then(Node::as_str)
        .is_some_and(|s| !s.is_empty());
    if ns_written {
        style |= NAMESPACE;
    }
    if seq_indented(text, &obj.node) {
        style |= SEQ_INDENT;
    }
    let (mut ports_start, mut ports_len) = (0, 0);
    if sts {
        if let Some(found) = container_ports(&pod, x).filter(|p| p.len() <= u8::MAX as usize) {
            ports_start = out.ports.len() as u32;
            ports_len = found.len() as u8;
            out.ports.extend(found);
            style |= PORTS_OK;
        }
    }
    out.items.push(Append {
        local,
        at,
        ports_start,
        selector,
        ports_len,
        style,
    });
}

/// The selector as a mask over the pod template labels: `None` unless it
/// is a non-empty matchLabels (no matchExpressions) whose every pair the
/// template carries (of at most 16 labels), with valid label keys and
/// values.
fn selector_mask(obj: &Object, labels: &std::collections::BTreeMap<String, String>) -> Option<u16> {
    let sel = obj.workload_selector()?;
    if sel
        .match_expressions
        .as_ref()
        .is_some_and(|e| !e.is_empty())
        || labels.len() > 16
    {
        return None;
    }
    let ml = sel.match_labels.as_ref().filter(|m| !m.is_empty())?;
    let mut mask = 0u16;
    for (k, v) in ml {
        if !is_qualified_name(k) || !is_label_value(v) {
            return None;
        }
        let i = labels.keys().position(|l| l == k)?;
        if labels[k] != *v {
            return None;
        }
        mask |= 1 << i;
    }
    Some(mask)
}

/// The ports of the pod's containers (init containers left out): `None`
/// when one cannot be written on a Service (no valid number, a protocol
/// Kubernetes does not know, a name that is not a valid port name) or two
/// share their number and protocol.
fn container_ports(pod: &crate::manifest::PodView<'_>, x: &Extract<'_>) -> Option<Vec<Port>> {
    let mut out: Vec<Port> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for c in pod.containers(false) {
        for p in c.container.ports.iter().flatten() {
            let number = u16::try_from(p.container_port).ok().filter(|&n| n > 0)?;
            let protocol = Protocol::of(p.protocol.as_deref())?;
            let name = p.name.as_deref().filter(|n| !n.is_empty());
            if let Some(n) = name {
                if !is_iana_svc_name(n) || names.contains(&n) {
                    return None;
                }
                names.push(n);
            }
            if out
                .iter()
                .any(|o| o.number == number && o.protocol == protocol)
            {
                return None;
            }
            out.push(Port {
                name: name.map(|n| x.sym(n)),
                number,
                protocol,
            });
        }
    }
    // A generated name must not be a container port's.
    if out.len() > 1
        && out
            .iter()
            .filter(|p| p.name.is_none())
            .any(|p| names.contains(&generated_name(p).as_str()))
    {
        return None;
    }
    Some(out)
}

/// The name of an unnamed port of a Service with several: `tcp-9187`.
fn generated_name(p: &Port) -> String {
    format!("{}-{}", p.protocol.name().to_ascii_lowercase(), p.number)
}

/// The Service port names of `ports`: each port's own name; when there
/// are several, an unnamed one gets `<protocol>-<number>` (`tcp-9187`).
/// `None` when two would share a name.
fn service_port_names<'s>(
    ports: &[Port],
    name: impl Fn(Sym) -> Cow<'s, str>,
) -> Option<Vec<Option<Cow<'s, str>>>> {
    let several = ports.len() > 1;
    let names: Vec<Option<Cow<'s, str>>> = ports
        .iter()
        .map(|p| match p.name {
            Some(n) => Some(name(n)),
            None if several => Some(Cow::Owned(generated_name(p))),
            None => None,
        })
        .collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_some() && names[..i].contains(n) {
            return None;
        }
    }
    Some(names)
}

/// The end of a node's text: the end of its last descendant for a
/// collection.
fn value_end(node: &Node) -> u32 {
    match &node.value {
        Value::Map(entries) => entries
            .last()
            .map_or(node.span.end, |e| value_end(&e.value).max(e.key_span.end)),
        Value::Seq(items) => items.last().map_or(node.span.end, value_end),
        _ => node.span.end,
    }
}

/// The start of the line holding `at` (callers check that `at` is in the
/// text, on a character boundary).
fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// Where a new document can go after the document `doc`, and whether a
/// newline must be written first: `None` unless `doc` is a block mapping
/// written at column 0 (not a List item, not JSON or flow style) and
/// nothing but blank lines, comments and `...` follow its last line up to
/// the next `---` line or the end of the text.
fn place(text: &str, doc: &Node) -> Option<(u32, bool)> {
    let Value::Map(entries) = &doc.value else {
        return None;
    };
    if entries.is_empty() || text.as_bytes().get(doc.span.start as usize) == Some(&b'{') {
        return None;
    }
    for e in entries {
        let at = e.key_span.start as usize;
        if !text.is_char_boundary(at) || line_start(text, at) != at {
            return None;
        }
    }
    let end = value_end(doc) as usize;
    if end > text.len() || !text.is_char_boundary(end) {
        return None;
    }
    // The rest of the last line: nothing, or a comment. (A block scalar's
    // text ends after its newline.)
    let mut at = if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        end - 1
    } else {
        let rest_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        // The closing brackets of flow collections that end there (a
        // collection's span stops at its last item).
        let rest = text[end..rest_end]
            .trim_end_matches('\r')
            .trim_start_matches([' ', '\t', '}', ']', ',']);
        if !(rest.is_empty() || rest.starts_with('#')) {
            return None;
        }
        rest_end
    };
    while at < text.len() {
        // `at` is the newline ending the previous line.
        let start = at + 1;
        let stop = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[start..stop].trim_end_matches('\r');
        if let Some(after) = line.strip_prefix("---") {
            if after.is_empty() || after.starts_with([' ', '\t']) {
                return Some((start as u32, false));
            }
            return None;
        }
        let trimmed = line.trim_start_matches([' ', '\t']);
        // `...` ends the document (a comment may follow it).
        let end_marker = line.strip_prefix("...").is_some_and(|r| {
            let after = r.trim_start_matches([' ', '\t']);
            after.is_empty() || (after.len() < r.len() && after.starts_with('#'))
        });
        if !(trimmed.is_empty() || trimmed.starts_with('#') || end_marker) {
            return None;
        }
        at = stop;
    }
    Some((text.len() as u32, !text.is_empty() && !text.ends_with('\n')))
}

/// The column of the first key of a block mapping, when it starts its own
/// line after spaces (or a sequence item's `- `).
fn column(text: &str, at: u32) -> Option<usize> {
    let at = at as usize;
    let before = text.get(line_start(text, at)..at)?;
    before
        .bytes()
        .all(|b| b == b' ' || b == b'-')
        .then_some(before.len())
}

/// The file's indentation unit, read from the workload (`metadata:` →
/// `name:`); 2 when it cannot be read or is not 1 to 7 spaces.
fn layout(text: &str, doc: &Node) -> usize {
    let unit = doc
        .entries()
        .iter()
        .find_map(|e| {
            let child = e.value.entries().first()?;
            let outer = column(text, e.key_span.start)?;
            let inner = column(text, child.key_span.start)?;
            let own_line = line_start(text, child.key_span.start as usize)
                != line_start(text, e.key_span.start as usize);
            (own_line && inner > outer).then(|| inner - outer)
        })
        .unwrap_or(2);
    if (1..=7).contains(&unit) {
        unit
    } else {
        2
    }
}

/// Whether the workload indents sequence items under their key, as read
/// from its containers (`containers:` then `  - name:`).
fn seq_indented(text: &str, doc: &Node) -> bool {
    let r = crate::path::resolve(doc, "spec.template.spec.containers");
    let (Some(key), true) = (r.key_span, r.found) else {
        return false;
    };
    let Some(first) = r.node.items().first() else {
        return false;
    };
    let Some(k) = column(text, key.start) else {
        return false;
    };
    // The item's text starts after its `- `.
    let item_line = line_start(text, first.span.start as usize);
    text.get(item_line..first.span.start as usize)
        .and_then(|before| before.rfind('-'))
        .is_some_and(|d| d > k)
}

// ------------------------------------------------------------ cross phase

impl Facts {
    /// Where a new document can go after `id`'s, if anywhere.
    pub fn append_of(&self, id: ObjId) -> Option<(&FileAppends, &Append)> {
        let (ff, local) = self.batch_facts(id);
        Some((&ff.appends, ff.appends.get(local)?))
    }

    /// The pairs of `id`'s pod template labels that make up its selector.
    pub fn selector_labels(&self, id: ObjId, a: &Append) -> Option<Vec<(Sym, Sym)>> {
        let (fp, pod) = self.pod_of(id)?;
        let labels = fp.labels(pod.labels);
        let picked: Vec<(Sym, Sym)> = labels
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 16 && a.selector & (1 << i) != 0)
            .map(|(_, &p)| p)
            .collect();
        (picked.len() == a.selector.count_ones() as usize && !picked.is_empty()).then_some(picked)
    }

    /// Whether `selector` selects, in `id`'s namespace (or among the
    /// objects that name none), the pod template of another object than
    /// `id`: a new Service or budget on it would cover other pods too.
    pub fn selects_others(&self, id: ObjId, selector: &[(Sym, Sym)]) -> bool {
        let tables = self.pod_tables();
        let ns = self.ident(id).namespace;
        let namespaces: &[Option<Sym>] = if ns.is_some() { &[ns, None] } else { &[None] };
        namespaces.iter().any(|&ns| {
            let Some(run) = selector
                .iter()
                .map(|&(k, v)| tables.labelled(self, ns, k, v))
                .min_by_key(|l| l.len())
            else {
                return false;
            };
            run.ids().any(|other| {
                other != id
                    && self.pod_of(other).is_some_and(|(fp, pod)| {
                        let labels = fp.labels(pod.labels);
                        selector.iter().all(|p| labels.contains(p))
                    })
            })
        })
    }
}

/// A scalar as YAML text every parser reads as this string: plain when it
/// is a word that starts with a letter and cannot be read as anything but
/// a string (not `yes`, `on`, `null`, `true` …), else double-quoted.
pub fn scalar(s: &str) -> Cow<'_, str> {
    let word = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        && crate::yaml::yaml11_value(s).is_none()
        && !matches!(s.to_ascii_lowercase().as_str(), "true" | "false" | "null");
    if word {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}")))
    }
}

/// Lines of a new document, written in the file's style.
struct Doc {
    out: String,
    unit: usize,
    /// How far a sequence's `- ` is indented from its key.
    seq: usize,
    nl: &'static str,
}

impl Doc {
    fn new(a: &Append) -> Doc {
        let nl = if a.has(CRLF) { "\r\n" } else { "\n" };
        let mut out = String::new();
        if a.has(NEWLINE_FIRST) {
            out.push_str(nl);
        }
        out.push_str("---");
        out.push_str(nl);
        let unit = a.unit().max(1);
        Doc {
            out,
            unit,
            seq: if a.has(SEQ_INDENT) { unit } else { 0 },
            nl,
        }
    }

    /// A line at `depth` units of indentation, plus `extra` columns.
    fn line(&mut self, depth: usize, extra: usize, text: &str) {
        let indent = depth * self.unit + extra;
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.out.push_str(text);
        self.out.push_str(self.nl);
    }

    fn metadata(&mut self, facts: &Facts, id: ObjId, a: &Append, name: &str) {
        self.line(0, 0, "metadata:");
        self.line(1, 0, &format!("name: {}", scalar(name)));
        if a.has(NAMESPACE) {
            if let Some(ns) = facts.namespace(id) {
                self.line(1, 0, &format!("namespace: {}", scalar(ns)));
            }
        }
    }

    fn labels(&mut self, facts: &Facts, depth: usize, labels: &[(Sym, Sym)]) {
        for &(k, v) in labels {
            let (k, v) = (facts.str(k), facts.str(v));
            self.line(depth, 0, &format!("{}: {}", scalar(k), scalar(v)));
        }
    }
}

/// The fix of `missing-headless-service` for StatefulSet `id`: a headless
/// Service `name` after its document, selecting its pods by its selector,
/// with its containers' ports; `publish_not_ready` for a quorum, whose
/// members must resolve each other before they are Ready.
pub fn service_fix(facts: &Facts, id: ObjId, name: &str, publish_not_ready: bool) -> Option<Fix> {
    let (fa, a) = facts.append_of(id)?;
    if !a.ports_ok() {
        return None;
    }
    let selector = facts.selector_labels(id, a)?;
    let ports = fa.ports(a);
    let names = service_port_names(ports, |s| Cow::Borrowed(facts.str(s)))?;
    let mut d = Doc::new(a);
    d.line(0, 0, "apiVersion: v1");
    d.line(0, 0, "kind: Service");
    d.metadata(facts, id, a, name);
    d.line(0, 0, "spec:");
    d.line(1, 0, "clusterIP: None");
    if publish_not_ready {
        d.line(1, 0, "publishNotReadyAddresses: true");
    }
    d.line(1, 0, "selector:");
    d.labels(facts, 2, &selector);
    if !ports.is_empty() {
        d.line(1, 0, "ports:");
        let dash = d.seq;
        for (p, port_name) in ports.iter().zip(&names) {
            let mut first = true;
            let mut item = |d: &mut Doc, text: String| {
                let (extra, text) = if first {
                    (dash, format!("- {text}"))
                } else {
                    (dash + 2, text)
                };
                first = false;
                d.line(1, extra, &text);
            };
            if let Some(n) = port_name {
                item(&mut d, format!("name: {}", scalar(n)));
            }
            item(&mut d, format!("port: {}", p.number));
            match p.name {
                Some(n) => item(&mut d, format!("targetPort: {}", scalar(facts.str(n)))),
                None => item(&mut d, format!("targetPort: {}", p.number)),
            }
            if p.protocol != Protocol::Tcp {
                item(&mut d, format!("protocol: {}", p.protocol.name()));
            }
        }
    }
    Some(Fix::unsafe_(
        format!("add a headless Service `{name}` selecting the StatefulSet's pods"),
        [Edit::insert(a.at, d.out)],
    ))
}

/// The fix of `missing-pdb` for workload `id`: a `policy/v1`
/// PodDisruptionBudget `name` after its document, with `maxUnavailable: 1`
/// and the workload's selector.
pub fn pdb_fix(facts: &Facts, id: ObjId, name: &str) -> Option<Fix> {
    let (_, a) = facts.append_of(id)?;
    let selector = facts.selector_labels(id, a)?;
    let mut d = Doc::new(a);
    d.line(0, 0, "apiVersion: policy/v1");
    d.line(0, 0, "kind: PodDisruptionBudget");
    d.metadata(facts, id, a, name);
    d.line(0, 0, "spec:");
    d.line(1, 0, "maxUnavailable: 1");
    d.line(1, 0, "selector:");
    d.line(2, 0, "matchLabels:");
    d.labels(facts, 3, &selector);
    Some(Fix::unsafe_(
        format!("add a PodDisruptionBudget `{name}` with `maxUnavailable: 1`"),
        [Edit::insert(a.at, d.out)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        let file = crate::source::SourceFile::new("t.yaml", text);
        crate::yaml::parse_documents(&file).unwrap().remove(0)
    }

    #[test]
    fn records_are_small() {
        // One per StatefulSet and Deployment of a run.
        assert_eq!(std::mem::size_of::<Append>(), 16);
        assert_eq!(std::mem::size_of::<Port>(), 8);
    }

    #[test]
    fn places_after_the_document_before_the_next() {
        let t = "a: 1\nb:\n  c: 2 # x\n# trailing\n\n---\nd: 3\n";
        assert_eq!(
            place(t, &doc(t)),
            Some((t.find("---").unwrap() as u32, false))
        );
        let t = "a: 1\nb: |\n  x\n...\n";
        assert_eq!(place(t, &doc(t)), Some((t.len() as u32, false)));
        let t = "a: 1\n# end";
        assert_eq!(place(t, &doc(t)), Some((t.len() as u32, true)));
        let t = "a: 1\nb: [{c: {}}, {d: [e]} ] # f\n---\n";
        assert_eq!(
            place(t, &doc(t)),
            Some((t.find("---").unwrap() as u32, false))
        );
        let t = "a: 1\r\nb: 2\r\n---\r\nc: 3\r\n";
        assert_eq!(place(t, &doc(t)), Some((12, false)));
    }

    #[test]
    fn no_place_in_json_flow_or_lists() {
        for t in [
            "{\"a\": 1,\n\"b\": 2\n}\n",
            "{a: 1, b: 2}\n",
            "items:\n- a: 1\n",
            "a: {b: 1,\n  c: 2\n  }\n",
            "a: 1\n...\nb: 2\n",
        ] {
            let d = doc(t);
            let inner = match t.starts_with("items") {
                true => d.get("items").unwrap().items()[0].clone(),
                false => d,
            };
            assert_eq!(place(t, &inner), None, "{t:?}");
        }
    }

    #[test]
    fn scalars_are_quoted_when_a_parser_could_read_them_otherwise() {
        for (s, w) in [
            ("postgres", "postgres"),
            ("app.kubernetes.io/name", "app.kubernetes.io/name"),
            ("true", "\"true\""),
            ("yes", "\"yes\""),
            ("On", "\"On\""),
            ("Null", "\"Null\""),
            ("0755", "\"0755\""),
            ("1.0", "\"1.0\""),
            ("a:b", "\"a:b\""),
            ("", "\"\""),
            ("x y", "\"x y\""),
        ] {
            assert_eq!(scalar(s), w, "{s}");
        }
    }

    #[test]
    fn layout_reads_the_unit_and_sequence_style() {
        let t = "spec:\n    template:\n        spec:\n            containers:\n                - name: a\n";
        let d = doc(t);
        assert_eq!(layout(t, &d), 4);
        assert!(seq_indented(t, &d));
        let t = "spec:\n  template:\n    spec:\n      containers:\n      - name: a\n";
        let d = doc(t);
        assert_eq!(layout(t, &d), 2);
        assert!(!seq_indented(t, &d));
    }
}
