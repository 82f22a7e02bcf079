//! JSON-RPC over standard input and output, as `lsp_server::Connection::stdio`
//! frames it, but forgiving: a malformed header, a body that is not JSON or
//! not a message, or a `Content-Length` past [`MAX_MESSAGE`] is skipped with a
//! line on stderr (and an error response when a request id can be read),
//! where lsp-server's reader stops, and would try to allocate any length it
//! is given.

use std::io::{BufRead, Read, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{bounded, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, RequestId, Response};

/// The largest message read: a document of the largest file linted
/// (16 MiB by default), escaped, fits many times over.
pub const MAX_MESSAGE: usize = 256 << 20;

/// The longest header line read.
const MAX_HEADER: u64 = 8 << 10;

/// The threads that read standard input and write standard output.
pub struct Threads {
    writer: JoinHandle<()>,
}

impl Threads {
    /// Wait until every message sent has been written (the connection's
    /// sender must be dropped first).
    pub fn join(self) {
        if self.writer.join().is_err() {
            eprintln!("stslint lsp: the output thread failed");
        }
    }
}

/// A connection over standard input and output.
pub fn stdio() -> std::io::Result<(Connection, Threads)> {
    let (to_client, outgoing) = bounded::<Message>(64);
    let (incoming, from_client) = bounded::<Message>(64);
    let writer = std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || write_all(outgoing))?;
    let replies = to_client.clone();
    std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            read_all(&mut stdin.lock(), &incoming, &replies);
        })?;
    let conn = Connection {
        sender: to_client,
        receiver: from_client,
    };
    Ok((conn, Threads { writer }))
}

fn write_all(outgoing: Receiver<Message>) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for msg in outgoing {
        if let Err(e) = msg.write(&mut out).and_then(|_| out.flush()) {
            eprintln!("stslint lsp: cannot write to the client: {e}");
            return;
        }
    }
}

/// Read messages until the end of input or `exit`.
pub fn read_all(input: &mut impl BufRead, incoming: &Sender<Message>, replies: &Sender<Message>) {
    loop {
        match read_message(input) {
            Frame::End => return,
            Frame::Skipped { why, id } => {
                eprintln!("stslint lsp: ignored a malformed message: {why}");
                if let Some(id) = id {
                    let r = Response::new_err(id, ErrorCode::InvalidRequest as i32, why);
                    let _ = replies.send(r.into());
                }
            }
            Frame::Message(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if incoming.send(msg).is_err() || exit {
                    return;
                }
            }
        }
    }
}

/// What reading one message gave.
pub enum Frame {
    Message(Message),
    /// Not a message; the request id, when one could be read.
    Skipped {
        why: String,
        id: Option<RequestId>,
    },
    End,
}

/// Read one framed message: header lines up to an empty line, then
/// `Content-Length` bytes of JSON.
pub fn read_message(input: &mut impl BufRead) -> Frame {
    let mut length = None;
    let mut bad_header = false;
    loop {
        let mut line = Vec::new();
        match input.by_ref().take(MAX_HEADER).read_until(b'\n', &mut line) {
            Ok(0) => return Frame::End,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Frame::End,
        }
        if !line.ends_with(b"\n") {
            // A header line longer than any real one: the rest of it is
            // read as further lines, and the message skipped.
            bad_header = true;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            if length.is_some() || bad_header {
                break;
            }
            // Blank lines between messages.
            continue;
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad_header = true,
                }
            }
            Some(_) => {}
            None => bad_header = true,
        }
    }
    let Some(length) = length.filter(|_| !bad_header) else {
        return skipped("a malformed header", None);
    };
    if length > MAX_MESSAGE {
        let _ = std::io::copy(
            &mut input.by_ref().take(length as u64),
            &mut std::io::sink(),
        );
        return skipped(
            &format!("{length} bytes, over the limit of {MAX_MESSAGE}"),
            None,
        );
    }
    let mut body = Vec::new();
    match input.by_ref().take(length as u64).read_to_end(&mut body) {
        Ok(n) if n == length => {}
        _ => return Frame::End,
    }
    match serde_json::from_slice::<Message>(&body) {
        Ok(msg) => Frame::Message(msg),
        Err(e) => {
            // The error's position only: the body may hold a document's
            // text, and stderr goes to the editor's log.
            let id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .and_then(|id| serde_json::from_value::<RequestId>(id).ok());
            let why = match e.line() {
                0 => "not a JSON-RPC message".to_string(),
                l => format!("not JSON (line {l}, column {})", e.column()),
            };
            skipped(&why, id)
        }
    }
}

fn skipped(why: &str, id: Option<RequestId>) -> Frame {
    Frame::Skipped {
        why: why.to_string(),
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read(input: &str) -> Vec<String> {
        let mut r = std::io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        loop {
            match read_message(&mut r) {
                Frame::End => return out,
                Frame::Skipped { why, id } => out.push(format!("skipped {why} {id:?}")),
                Frame::Message(Message::Notification(n)) => out.push(n.method),
                Frame::Message(Message::Request(r)) => out.push(format!("{} {}", r.method, r.id)),
                Frame::Message(Message::Response(r)) => out.push(format!("response {}", r.id)),
            }
        }
    }

    #[test]
    fn malformed_messages_are_skipped_and_reading_goes_on() {
        let input = [
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            "Content-Length: nope\r\n\r\n".to_string(),
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            // Other headers, LF line ends, any case.
            "content-type: x\ncontent-length: 38\n\n".to_string(),
            r#"{"jsonrpc":"2.0","id":2,"result":null}"#.to_string(),
            frame(r#"{"jsonrpc":"2.0","id":"a","method":"shutdown"}"#),
            // Skipped: whatever follows is its body.
            "Content-Length: 99999999999999\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        ]
        .concat();
        assert_eq!(
            read(&input),
            [
                "initialized",
                "skipped a malformed header None",
                "skipped not JSON (line 1, column 2) None",
                "skipped not a JSON-RPC message Some(RequestId(I32(7)))",
                "response 2",
                "shutdown \"a\"",
                "skipped 99999999999999 bytes, over the limit of 268435456 None",
            ]
        );
        // Input that ends inside a body ends the reading.
        assert!(read("Content-Length: 50\r\n\r\n{\"truncated").is_empty());
    }
}
