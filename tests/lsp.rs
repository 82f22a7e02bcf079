//! `stslint lsp` driven as an editor drives it: the built binary, JSON-RPC
//! framed on its standard input and output.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{root, tempdir, write_file};

/// How long to wait for any one message before the test fails.
const WAIT: Duration = Duration::from_secs(30);

/// A language client talking to one server process.
struct Client {
    child: Child,
    stdin: ChildStdin,
    from_server: Receiver<Value>,
    /// Notifications read while waiting for something else.
    queue: Vec<Value>,
    /// Requests the server sent us (answered with `null`).
    server_requests: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stslint"))
            .arg("lsp")
            // Not the workspace: the server must lint where the client says.
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start stslint lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, from_server) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_frame(&mut r) {
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            from_server,
            queue: Vec::new(),
            server_requests: Vec::new(),
            next_id: 0,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, v: Value) {
        self.send_raw(frame(&v).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message from the server; its requests are answered and
    /// recorded on the way.
    fn next(&mut self) -> Value {
        loop {
            let v = self
                .from_server
                .recv_timeout(WAIT)
                .expect("a message from the server in time");
            if v.get("method").is_some() && v.get("id").is_some() {
                let id = v["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                self.server_requests.push(v);
                continue;
            }
            return v;
        }
    }

    /// Send a request and return its response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let v = self.next();
            if v.get("id") == Some(&json!(id)) {
                return v;
            }
            self.queue.push(v);
        }
    }

    /// The next `publishDiagnostics` for `uri`: its parameters.
    fn published(&mut self, uri: &str) -> Value {
        let is_it = |v: &Value| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
        };
        if let Some(i) = self.queue.iter().position(is_it) {
            return self.queue.remove(i)["params"].clone();
        }
        loop {
            let v = self.next();
            if is_it(&v) {
                return v["params"].clone();
            }
            self.queue.push(v);
        }
    }

    /// `initialize` with a workspace folder and the given client
    /// capabilities, then `initialized`: the server's capabilities.
    fn initialize(&mut self, folder: &Path, capabilities: Value) -> Value {
        let uri = file_uri(folder);
        self.initialize_with(json!({
            "processId": null,
            "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": "ws"}],
            "capabilities": capabilities,
        }))
    }

    fn initialize_with(&mut self, params: Value) -> Value {
        let r = self.request("initialize", params);
        self.notify("initialized", json!({}));
        r["result"]["capabilities"].clone()
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": "yaml", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc}));
    }

    fn change(&mut self, uri: &str, version: i32, changes: Value) {
        let doc = json!({"uri": uri, "version": version});
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": doc, "contentChanges": changes}),
        );
    }

    /// `shutdown`, `exit`, and the exit code.
    fn stop(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        self.exit_code()
    }

    fn exit_code(mut self) -> Option<i32> {
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the server did not exit");
    }
}

/// A message framed as on the wire.
fn frame(v: &Value) -> String {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

/// One framed message, or `None` at the end of the output.
fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn file_uri(p: &Path) -> String {
    let s = p.to_str().expect("a UTF-8 path");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b)),
        "the test directory needs no percent-encoding: {s}"
    );
    format!("file://{s}")
}

/// Apply LSP text edits (UTF-16 positions) to `text`.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| {
        let (line, character) = (
            pos["line"].as_u64().unwrap(),
            pos["character"].as_u64().unwrap(),
        );
        let start: usize = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        let mut units = 0;
        let rest = &text[start..];
        for (i, c) in rest.char_indices() {
            if units >= character as usize || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            (
                offset(&r["start"]),
                offset(&r["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort();
    let mut out = text.to_string();
    for (s, e, t) in spans.into_iter().rev() {
        out.replace_range(s..e, t);
    }
    out
}

/// `(code, start line, start character, end line, end character)` of each
/// diagnostic.
fn ranges(published: &Value) -> Vec<(String, u64, u64, u64, u64)> {
    let diags = published["diagnostics"].as_array().expect("diagnostics");
    diags
        .iter()
        .map(|d| {
            let r = &d["range"];
            let n = |v: &Value| v.as_u64().unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                n(&r["start"]["line"]),
                n(&r["start"]["character"]),
                n(&r["end"]["line"]),
                n(&r["end"]["character"]),
            )
        })
        .collect()
}

const STS: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: prod
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: app
        image: example/app:latest
";

const SVC: &str = "apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: staging
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 80, name: web}]
";

/// The rules the config file leaves on, for short exact lists.
const CONFIG: &str = "rules:
  missing-resources: off
  missing-security-context: off
  missing-liveness-probe: off
  missing-readiness-probe: off
";

fn workspace(name: &str) -> PathBuf {
    let dir = tempdir(name);
    write_file(&dir, ".stslint.yaml", CONFIG);
    write_file(&dir, "a.yaml", STS);
    write_file(&dir, "b.yaml", SVC);
    dir
}

const HEADLESS_MESSAGE: &str =
    "StatefulSet `db` names Service `db`, but no Service `db` is defined in namespace `prod`";

#[test]
fn an_editor_session_from_open_to_exit() {
    let dir = workspace("lsp-session");
    let (a, b) = (file_uri(&dir.join("a.yaml")), file_uri(&dir.join("b.yaml")));
    let mut c = Client::start();
    let caps = c.initialize(
        &dir,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(caps["textDocumentSync"]["change"], 2);

    // Open: the cross-file finding, with the Service in the other namespace
    // as related information, and the image tag. The config file turned the
    // other rules off.
    c.open(&a, STS);
    let p = c.published(&a);
    assert_eq!(p["version"], 1);
    assert_eq!(
        p["diagnostics"][0],
        json!({
            "range": {"start": {"line": 6, "character": 15}, "end": {"line": 6, "character": 17}},
            "severity": 2,
            "code": "missing-headless-service",
            "codeDescription": {"href": "https://github.com/stslint/stslint/blob/main/rules/missing-headless-service.md"},
            "source": "stslint",
            "message": HEADLESS_MESSAGE,
            "relatedInformation": [{
                "location": {"uri": b, "range": {"start": {"line": 3, "character": 2}, "end": {"line": 3, "character": 6}}},
                "message": "a Service `db` exists, but in namespace `staging`"
            }]
        })
    );
    assert_eq!(
        ranges(&p),
        [
            ("missing-headless-service".into(), 6, 15, 6, 17),
            ("mutable-image-tag".into(), 16, 15, 16, 33),
        ]
    );
    // The watcher was registered once the client said `initialized`.
    assert_eq!(c.server_requests.len(), 1);
    assert_eq!(c.server_requests[0]["method"], "client/registerCapability");
    let reg = &c.server_requests[0]["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        reg["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.{yaml,yml,json}"
    );

    // Hover on the finding: the rule's documentation; elsewhere nothing.
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": a}, "position": {"line": line, "character": character}});
    let h = c.request("textDocument/hover", at(6, 16));
    let doc = stslint::rules::meta("missing-headless-service")
        .unwrap()
        .doc(true);
    assert!(doc.starts_with("# missing-headless-service\n\n"), "{doc}");
    assert_eq!(
        h["result"]["contents"],
        json!({"kind": "markdown", "value": doc})
    );
    assert_eq!(
        h["result"]["range"]["start"],
        json!({"line": 6, "character": 15})
    );
    assert_eq!(
        c.request("textDocument/hover", at(1, 0))["result"],
        Value::Null
    );

    // A code action at the image tag: suppress it on the object. Applied
    // and sent back, the finding is gone and the other moves two lines.
    let range =
        json!({"start": {"line": 16, "character": 20}, "end": {"line": 16, "character": 20}});
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": a}, "range": range, "context": {"diagnostics": []}}),
    );
    let actions = r["result"].as_array().expect("actions");
    assert_eq!(actions.len(), 1, "{r}");
    assert_eq!(
        actions[0]["title"],
        "Suppress mutable-image-tag for StatefulSet/db (stslint.io/ignore: mutable-image-tag)"
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "mutable-image-tag");
    let edits = actions[0]["edit"]["changes"][&a]
        .as_array()
        .expect("edits of a.yaml");
    assert_eq!(
        edits,
        &[json!({
            "range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}},
            "newText": "  annotations:\n    stslint.io/ignore: mutable-image-tag\n"
        })]
    );
    let suppressed = apply_edits(STS, edits);
    c.change(&a, 2, json!([{"text": suppressed}]));
    let p = c.published(&a);
    assert_eq!(p["version"], 2);
    assert_eq!(
        ranges(&p),
        [("missing-headless-service".into(), 8, 15, 8, 17)]
    );

    // A burst of incremental changes is linted once, after the last.
    let top = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    // (In one write, so that a loaded machine cannot space them out.)
    let burst = [(3, "# one\n"), (4, "# two\n")].map(|(version, text)| {
        frame(&json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": a, "version": version},
                "contentChanges": [{"range": top, "text": text}]
            }
        }))
    });
    c.send_raw(burst.concat().as_bytes());
    let p = c.published(&a);
    assert_eq!(p["version"], 4);
    assert_eq!(
        ranges(&p),
        [("missing-headless-service".into(), 10, 15, 10, 17)]
    );

    // The Service fixed in an open buffer of b.yaml clears the finding in
    // a.yaml; closed, the file on disk counts again.
    c.open(&b, SVC);
    assert_eq!(c.published(&b)["diagnostics"], json!([]));
    c.change(&b, 2, json!([{"text": SVC.replace("staging", "prod")}]));
    assert_eq!(c.published(&a)["diagnostics"], json!([]));
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": b}}));
    assert_eq!(c.published(&b)["diagnostics"], json!([]));
    assert_eq!(
        ranges(&c.published(&a)),
        [("missing-headless-service".into(), 10, 15, 10, 17)]
    );

    // Fixed on disk: the watched-files notification relints.
    write_file(&dir, "b.yaml", &SVC.replace("staging", "prod"));
    let changes = json!({"changes": [{"uri": b, "type": 2}]});
    c.notify("workspace/didChangeWatchedFiles", changes);
    assert_eq!(c.published(&a)["diagnostics"], json!([]));

    // Broken again, then closed: the diagnostics are cleared.
    let service =
        json!({"start": {"line": 10, "character": 15}, "end": {"line": 10, "character": 17}});
    c.change(&a, 5, json!([{"range": service, "text": "cache"}]));
    let p = c.published(&a);
    assert_eq!(
        ranges(&p),
        [("missing-headless-service".into(), 10, 15, 10, 20)]
    );
    assert_eq!(p["diagnostics"][0]["relatedInformation"], Value::Null);
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": a}}));
    assert_eq!(c.published(&a)["diagnostics"], json!([]));

    assert_eq!(c.stop(), Some(0));
}

/// A StatefulSet whose image (the finding) follows `é😀` on its line: 2
/// bytes and 1 UTF-16 unit, 4 bytes and 2 units.
const WIDE: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: app, env: [{name: A, value: \"é😀\"}], image: \"example/app:latest\"}
";

#[test]
fn positions_are_utf16_unless_the_client_offers_utf8() {
    let dir = tempdir("lsp-encodings");
    write_file(&dir, ".stslint.yaml", "rules:\n  missing-resources: off\n  missing-security-context: off\n  missing-liveness-probe: off\n  missing-readiness-probe: off\n  missing-headless-service: off\n");
    write_file(&dir, "wide.yaml", WIDE);
    let uri = file_uri(&dir.join("wide.yaml"));
    let line = WIDE.lines().nth(10).unwrap();
    let bytes = line.find("\"example").unwrap() as u64;
    assert_eq!(bytes, 62);
    for (offered, expected, start, end) in [
        (json!(["utf-8", "utf-16"]), "utf-8", 62, 82),
        (json!(["utf-16"]), "utf-16", 59, 79),
        (Value::Null, "utf-16", 59, 79),
    ] {
        let mut c = Client::start();
        let caps = c.initialize(&dir, json!({"general": {"positionEncodings": offered}}));
        assert_eq!(caps["positionEncoding"], expected);
        c.open(&uri, WIDE);
        let p = c.published(&uri);
        assert_eq!(
            ranges(&p),
            [("mutable-image-tag".into(), 10, start, 10, end)],
            "{expected}"
        );
        // Hover at the finding's start, in the same encoding.
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 10, "character": start}}),
        );
        assert_eq!(h["result"]["range"]["start"]["character"], start);
        assert_eq!(c.stop(), Some(0));
    }
}

#[test]
fn bad_input_gets_errors_and_never_ends_the_server() {
    let dir = workspace("lsp-hostile");
    let a = file_uri(&dir.join("a.yaml"));
    let mut c = Client::start();
    // Before `initialize`: an error.
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002);
    c.initialize(&dir, json!({}));
    // Not JSON, a bad header, a message of no known shape with an id.
    c.send_raw(b"Content-Length: 5\r\n\r\n{oops");
    c.send_raw(b"Content-Length: x\r\n\r\n");
    c.send(json!({"jsonrpc": "2.0", "id": 99, "method": 5}));
    let r = c.next();
    assert_eq!(
        (r["id"].clone(), r["error"]["code"].clone()),
        (json!(99), json!(-32600))
    );
    // Bad parameters and an unknown method.
    assert_eq!(
        c.request("textDocument/hover", json!({"x": 1}))["error"]["code"],
        -32602
    );
    assert_eq!(
        c.request("stslint/nothing", json!({}))["error"]["code"],
        -32601
    );
    // Notifications with bad parameters, or for documents never opened.
    c.notify("textDocument/didOpen", json!({"textDocument": 7}));
    c.change("file:///nowhere.yaml", 2, json!([{"text": "x"}]));
    let past = json!({"start": {"line": 99, "character": 99}, "end": {"line": 0, "character": 0}});
    c.open(&a, "kind: [");
    let p = c.published(&a);
    assert_eq!(ranges(&p)[0].0, "syntax-error");
    // A change whose range is past the end and inverted: clamped to an
    // insertion at the end, which closes the bracket.
    c.change(&a, 2, json!([{"range": past, "text": "x]"}]));
    let p = c.published(&a);
    assert_eq!(
        (p["version"].clone(), p["diagnostics"].clone()),
        (json!(2), json!([]))
    );
    assert_eq!(c.request("textDocument/hover", json!({"textDocument": {"uri": a}, "position": {"line": 4000000000u32, "character": 4000000000u32}}))["result"], Value::Null);
    // Exit without shutdown: exit code 1, as the protocol says.
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(1));
}

#[test]
fn fixes_are_quick_fixes_safe_ones_preferred() {
    let dir = tempdir("lsp-fixes");
    let flags =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  enabled: yes\n";
    write_file(&dir, "flags.yaml", flags);
    write_file(&dir, "a.yaml", STS);
    let (f, a) = (
        file_uri(&dir.join("flags.yaml")),
        file_uri(&dir.join("a.yaml")),
    );
    let mut c = Client::start();
    c.initialize(&dir, json!({}));
    let actions_at = |c: &mut Client, uri: &str, line: u32, character: u32| {
        let at = json!({"line": line, "character": character});
        let params = json!({
            "textDocument": {"uri": uri},
            "range": {"start": at, "end": at},
            "context": {"diagnostics": [], "only": ["quickfix"]}
        });
        c.request("textDocument/codeAction", params)["result"].clone()
    };

    c.open(&f, flags);
    assert_eq!(
        ranges(&c.published(&f)),
        [("yaml-1.1-literal".into(), 5, 11, 5, 14)]
    );
    let actions = actions_at(&mut c, &f, 5, 12);
    let titles: Vec<&str> = (actions.as_array().unwrap().iter())
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "quote `yes`",
            "Suppress yaml-1.1-literal for ConfigMap/flags (stslint.io/ignore: yaml-1.1-literal)"
        ]
    );
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[1]["isPreferred"], Value::Null);
    let edits = actions[0]["edit"]["changes"][&f].as_array().unwrap();
    assert_eq!(
        edits,
        &[json!({
            "range": {"start": {"line": 5, "character": 11}, "end": {"line": 5, "character": 14}},
            "newText": "\"yes\""
        })]
    );
    let fixed = apply_edits(flags, edits);
    assert_eq!(fixed, flags.replace("yes", "\"yes\""));
    c.change(&f, 2, json!([{"text": fixed}]));
    assert_eq!(c.published(&f)["diagnostics"], json!([]));
    // Only other kinds asked for: nothing.
    let params = json!({
        "textDocument": {"uri": f},
        "range": {"start": {"line": 5, "character": 12}, "end": {"line": 5, "character": 12}},
        "context": {"diagnostics": [], "only": ["refactor"]}
    });
    assert_eq!(
        c.request("textDocument/codeAction", params)["result"],
        json!([])
    );

    // An unsafe fix says so, and is not preferred; then one suppression
    // per rule reported there.
    c.open(&a, STS);
    let p = c.published(&a);
    assert_eq!(
        ranges(&p),
        [
            ("missing-headless-service".into(), 6, 15, 6, 17),
            ("missing-liveness-probe".into(), 15, 14, 15, 17),
            ("missing-readiness-probe".into(), 15, 14, 15, 17),
            ("missing-resources".into(), 15, 14, 15, 17),
            ("missing-security-context".into(), 15, 14, 15, 17),
            ("mutable-image-tag".into(), 16, 15, 16, 33),
        ]
    );
    let actions = actions_at(&mut c, &a, 15, 15);
    let titles: Vec<(&str, Value)> = (actions.as_array().unwrap().iter())
        .map(|a| (a["title"].as_str().unwrap(), a["isPreferred"].clone()))
        .collect();
    let suppress =
        |rule: &str| format!("Suppress {rule} for StatefulSet/db (stslint.io/ignore: {rule})");
    assert_eq!(
        titles,
        [
            (
                "set `allowPrivilegeEscalation: false` (unsafe)",
                Value::Null
            ),
            (&suppress("missing-liveness-probe")[..], Value::Null),
            (&suppress("missing-readiness-probe")[..], Value::Null),
            (&suppress("missing-resources")[..], Value::Null),
            (&suppress("missing-security-context")[..], Value::Null),
        ]
    );
    let fixed = apply_edits(STS, actions[0]["edit"]["changes"][&a].as_array().unwrap());
    assert_eq!(
        fixed,
        format!("{STS}        securityContext:\n          allowPrivilegeEscalation: false\n")
    );
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn a_file_in_no_workspace_folder_is_linted_with_the_files_beside_it() {
    let dir = workspace("lsp-no-folder");
    // Below it: not read (only the directory's own files are).
    write_file(&dir, "deeper/svc.yaml", &SVC.replace("staging", "prod"));
    let a = file_uri(&dir.join("a.yaml"));
    let mut c = Client::start();
    c.initialize_with(json!({"processId": null, "rootUri": null, "capabilities": {}}));
    c.open(&a, STS);
    let p = c.published(&a);
    // The config file beside it holds, and b.yaml is related.
    assert_eq!(
        ranges(&p),
        [
            ("missing-headless-service".into(), 6, 15, 6, 17),
            ("mutable-image-tag".into(), 16, 15, 16, 33),
        ]
    );
    let related = &p["diagnostics"][0]["relatedInformation"][0]["location"]["uri"];
    assert_eq!(related, &json!(file_uri(&dir.join("b.yaml"))));
    assert_eq!(c.stop(), Some(0));
}
